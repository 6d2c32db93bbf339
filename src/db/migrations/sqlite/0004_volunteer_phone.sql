-- Uploads match people by phone (with the name) as well as by ID number.
create index volunteers_phone on volunteers (phone);
