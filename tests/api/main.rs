//! The integration suite: every test drives a real server over HTTP against a real database.
//! `LEIFENG_TEST_DATABASE=postgres` runs the same tests on PostgreSQL (see helpers).

mod helpers;

mod accounts;
mod assessment;
mod assessment_frozen;
mod audit;
mod auth;
mod calendar;
mod campaign;
mod campaign_checkins;
mod cli;
mod commend_hooks;
mod commendations;
mod contact;
mod excel;
mod house;
mod i18n_keys;
mod inspection_targets;
mod inspections;
mod instances;
mod monthly;
mod nav_a11y;
mod needs;
mod notice_hooks;
mod notifications;
mod orgs;
mod pages;
mod policy;
mod public;
mod reminders;
mod requests;
mod service;
mod service_hours;
mod signup_batch;
mod sinks;
mod stats;
mod trust_faults;
mod trust_floods;
mod trust_forms;
mod trust_identity;
mod trust_openapi;
mod trust_privacy;
mod trust_uploads;
mod workbench;
