// Leifeng: small progressive enhancements; every page works without this file.
document.addEventListener('DOMContentLoaded', () => {
  // After a refused submit, focus goes to the first field in error, or else to the message.
  if (!document.activeElement || document.activeElement === document.body) {
    const bad = document.querySelector('main [aria-invalid=true]')
      || document.querySelector('main .error[role=alert]');
    if (bad) {
      if (!bad.matches('input, select, textarea, button, a[href]') && !bad.hasAttribute('tabindex')) bad.tabIndex = -1;
      bad.focus();
    }
  }
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
  // Print buttons (posters, certificates, the monthly statistics); hidden ones show up here.
  document.querySelectorAll('[data-print]').forEach((b) => {
    b.hidden = false;
    b.addEventListener('click', () => window.print());
  });
  // Copy buttons copy their text box (which stays selectable without this file).
  document.querySelectorAll('[data-copy]').forEach((b) => {
    const box = document.getElementById(b.dataset.copy);
    const status = b.parentElement.querySelector('[role=status]');
    if (!box) return;
    b.hidden = false;
    b.addEventListener('click', async () => {
      box.focus();
      box.select();
      let done = false;
      try {
        await navigator.clipboard.writeText(box.value);
        done = true;
      } catch (e) {
        try { done = document.execCommand('copy'); } catch (e2) { done = false; }
      }
      if (status) status.textContent = done ? b.dataset.copied : '';
    });
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
  // The menu: on desktops its row of sections is always shown; on phones it folds, and the
  // section of the page shown starts open. One section open at a time; Escape or a click
  // elsewhere closes it (and the phone menu), focus going back to its button.
  const menu = document.querySelector('details.menu');
  if (menu) {
    const desktop = window.matchMedia('(min-width: 800px)');
    const sections = [...menu.querySelectorAll('details.section')];
    const fit = () => {
      menu.open = desktop.matches;
      sections.forEach((d) => { d.open = !desktop.matches && d.hasAttribute('data-current'); });
    };
    fit();
    desktop.addEventListener('change', fit);
    sections.forEach((d) => d.addEventListener('toggle', () => {
      if (d.open && desktop.matches) sections.forEach((o) => { if (o !== d) o.open = false; });
    }));
    const openOnes = () => [...sections.filter((d) => d.open && desktop.matches),
      ...(menu.open && !desktop.matches ? [menu] : [])];
    document.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      const open = openOnes();
      if (!open.length) return;
      const inside = open.find((d) => d.contains(document.activeElement));
      open.forEach((d) => { d.open = false; });
      (inside || open[0]).querySelector('summary').focus();
    });
    document.addEventListener('click', (e) => {
      openOnes().forEach((d) => { if (!d.contains(e.target)) d.open = false; });
    });
  }
});
// The on-site inspection form keeps a draft on the phone while it is filled in, so a lost
// connection or a closed tab loses nothing: restored on the next visit of the same version of
// the record (a saved record has a new version, and older drafts are dropped).
document.addEventListener('DOMContentLoaded', () => {
  document.querySelectorAll('form[data-draft]').forEach((f) => {
    const key = f.dataset.draft;
    let store;
    try { store = window.localStorage; } catch (e) { return; }
    if (!store) return;
    Object.keys(store).forEach((k) => {
      if (k.startsWith(f.dataset.draftPrefix) && k !== key) store.removeItem(k);
    });
    const fields = () => Array.from(f.elements).filter((e) => e.name && e.name !== 'csrf' && e.type !== 'file');
    // What the server sent back after a refused submit is newer than any draft.
    if (!f.dataset.draftPosted) {
      try {
        const saved = JSON.parse(store.getItem(key) || 'null');
        if (saved) {
          fields().forEach((e) => {
            if (!(e.name in saved)) return;
            if (e.type === 'radio') e.checked = saved[e.name] === e.value;
            else e.value = saved[e.name];
          });
        }
      } catch (e) { /* a broken draft is ignored */ }
    }
    const save = () => {
      const data = {};
      fields().forEach((e) => {
        if (e.type === 'radio') { if (e.checked) data[e.name] = e.value; } else data[e.name] = e.value;
      });
      try { store.setItem(key, JSON.stringify(data)); } catch (e) { /* storage full */ }
    };
    f.addEventListener('input', save);
    f.addEventListener('change', save);
  });
});
