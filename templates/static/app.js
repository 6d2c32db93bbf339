// Leifeng: small progressive enhancements; every page works without this file.
document.addEventListener('DOMContentLoaded', () => {
  // Filters apply as soon as one is chosen.
  document.querySelectorAll('select[data-autosubmit]').forEach((s) => {
    s.addEventListener('change', () => s.form.submit());
  });
  // The account form shows only the org field that the chosen role needs.
  const role = document.querySelector('select[name=role]');
  if (role) {
    const kinds = { street_admin: 'street_id', community_admin: 'community_id', unit_admin: 'unit_id' };
    const update = () => {
      ['street_id', 'community_id', 'unit_id'].forEach((name) => {
        const box = document.querySelector(`[data-field=${name}]`);
        if (box) box.hidden = kinds[role.value] !== name;
      });
    };
    role.addEventListener('change', update);
    update();
  }
  // Forms that remove something ask first.
  document.querySelectorAll('form[data-confirm]').forEach((f) => {
    f.addEventListener('submit', (e) => {
      if (!window.confirm(f.dataset.confirm)) e.preventDefault();
    });
  });
  // Print buttons (posters, certificates).
  document.querySelectorAll('[data-print]').forEach((b) => {
    b.addEventListener('click', () => window.print());
  });
  // Sign-in forms of activities with a geofence send the phone's position.
  document.querySelectorAll('form[data-geo]').forEach((f) => {
    f.addEventListener('submit', (e) => {
      if (f.elements.lat.value || !navigator.geolocation) return;
      e.preventDefault();
      navigator.geolocation.getCurrentPosition(
        (pos) => {
          f.elements.lat.value = pos.coords.latitude;
          f.elements.lng.value = pos.coords.longitude;
          f.submit();
        },
        () => f.submit(),
        { enableHighAccuracy: true, timeout: 10000 },
      );
    });
  });
  // On desktops the menu is always open; on phones it folds.
  const menu = document.querySelector('details.menu');
  if (menu && window.matchMedia('(min-width: 800px)').matches) menu.open = true;
});
