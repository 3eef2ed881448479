/* Aduan console: the API's reference lists (GET /categories, /agencies, /regions), each loaded
   once, and the names they give a code; a code no list knows is shown as it is. */
"use strict";
window.AduanOps.reference = (function () {
  const Aduan = window.Aduan;
  const KEYS = { categories: "code", agencies: "id", regions: "code" }; // each list's entries by
  const lists = {}; // name -> {all, byKey}, once loaded
  const loading = {}; // name -> the promise of the answer on its way

  /* A list, loaded once: resolves the list, or null when it could not be loaded (the next call
     asks again). Calls while it is on its way share the one request. */
  function load(name) {
    if (lists[name]) return Promise.resolve(lists[name].all);
    if (!loading[name]) {
      loading[name] = Aduan.loadList("/" + name, name).then(function (all) {
        delete loading[name];
        if (!all) return null;
        const byKey = {};
        all.forEach(function (entry) {
          byKey[entry[KEYS[name]]] = entry;
        });
        lists[name] = { all: all, byKey: byKey };
        return all;
      });
    }
    return loading[name];
  }

  function entry(name, key) {
    return (lists[name] && lists[name].byKey[key]) || null;
  }

  /* The agencies (GET /agencies), or none while they are not loaded. */
  function agencies() {
    return lists.agencies ? lists.agencies.all : [];
  }

  function agencyName(id) {
    const agency = entry("agencies", id);
    return agency ? agency.name : id;
  }

  function categoryName(code) {
    const category = entry("categories", code);
    return category ? Aduan.categoryName(category) : code;
  }

  /* A region by the gazetteer's name, with the regency a district lies in ("Cikupa, Kabupaten
     Tangerang"); the names already say Kabupaten or Kota, and are the same in both languages. */
  function regionName(code) {
    const region = entry("regions", code);
    if (!region) return code;
    const names = [region.name];
    let parent = entry("regions", region.parent_code);
    while (parent && parent.level !== "province") {
      names.push(parent.name);
      parent = entry("regions", parent.parent_code);
    }
    return names.join(", ");
  }

  return {
    load: load,
    agencies: agencies,
    agencyName: agencyName,
    categoryName: categoryName,
    regionName: regionName
  };
})();
