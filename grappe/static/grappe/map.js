// Member map: works without any tile server (blank background, outline of the
// members' extent); a tile URL can be configured with MAP_TILE_URL.
(function () {
  const el = document.getElementById("map");
  if (!el || !window.L) return;
  // maxZoom is needed by the marker clusters when no tile layer sets it.
  const map = L.map(el, { preferCanvas: true, maxZoom: 19, zoomControl: false });
  L.control.zoom({
    zoomInTitle: el.dataset.zoomIn || "Zoom avant",
    zoomOutTitle: el.dataset.zoomOut || "Zoom arrière",
  }).addTo(map);
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  }
  L.control.scale({ imperial: false }).addTo(map);
  fetch(el.dataset.geojson, { headers: { Accept: "application/geo+json" } })
    .then((r) => r.json())
    .then((data) => {
      const cluster = L.markerClusterGroup ? L.markerClusterGroup() : L.featureGroup();
      const layer = L.geoJSON(data, {
        pointToLayer: (feature, latlng) =>
          L.circleMarker(latlng, {
            radius: 7, weight: 2, color: "#5b21b6",
            fillColor: feature.properties.approximate ? "#ddd6fe" : "#7c3aed", fillOpacity: 0.9,
          }),
        onEachFeature: (feature, marker) => {
          const p = feature.properties;
          const link = document.createElement("a");
          link.href = p.url; link.textContent = p.name;
          const box = document.createElement("div");
          box.appendChild(link);
          if (p.commune) { const s = document.createElement("div"); s.textContent = p.commune; box.appendChild(s); }
          marker.bindPopup(box);
          marker.bindTooltip(p.name);
        },
      });
      cluster.addLayer(layer);
      cluster.addTo(map);
      const bounds = layer.getBounds();
      if (bounds.isValid()) {
        if (!el.dataset.tiles) {
          L.rectangle(bounds.pad(0.15), { color: "#c4b5fd", weight: 1, fill: false, interactive: false }).addTo(map);
        }
        map.fitBounds(bounds.pad(0.1));
      } else {
        map.setView([46.6, 2.4], 5);
      }
      el.dataset.loaded = String(data.features.length);
    });
})();
