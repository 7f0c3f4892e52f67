// Leaflet, as Debian ships it, built into the appliance. With no tile server the map is a plain background
// with the layers drawn on it; a site that hosts tiles names their URL template in the tenant settings.
// The layers are GeoJSON: pager-list regions, and ECO locations styled by display status (colours in style.css).
import { circleMarker, geoJSON, map as leafletMap, tileLayer } from "/app/vendor/leaflet/leaflet.esm.js";
import { api } from "/app/api.js";
import { slug } from "/app/dom.js";

/// A map at the tenant's centre and its zoom for `context` ("create", "view" or "list").
export function makeMap(element, settings, context) {
  const map = leafletMap(element, { attributionControl: false, keyboard: true })
    .setView([settings.mapCenter.latitude, settings.mapCenter.longitude], settings.mapZoom[context]);
  if (settings.tileURLTemplate) tileLayer(settings.tileURLTemplate, { maxZoom: 19 }).addTo(map);
  return map;
}

/// The pager lists a tenant's maps show: an OSP's own, or those of every OSP a NOC has an active link to.
export async function visiblePagerLists(membership) {
  if (membership.tenantKind === "OSP") return api("GET", "/api/pager-lists");
  const osps = (await api("GET", "/api/osps")).filter((osp) => osp.linkStatus === "active");
  const lists = await Promise.all(osps.map((osp) => api("GET", `/api/pager-lists?osp=${encodeURIComponent(osp.id)}`)));
  return lists.flat();
}

/// Each list's region outlined and named; an inactive list's is dashed. Clicks go through to the map.
export function regionsLayer(lists) {
  const features = lists.filter((list) => list.region)
    .map((list) => ({ type: "Feature", geometry: list.region, properties: { name: list.name, active: list.active } }));
  return geoJSON({ type: "FeatureCollection", features }, {
    style: (feature) => ({ className: `region${feature.properties.active ? "" : " inactive"}`, weight: 1.5, fillOpacity: 0.06 }),
    onEachFeature: (feature, layer) => layer.bindTooltip(`Pager list: ${feature.properties.name}`, { sticky: true }),
  });
}

/// One ECO's point or line, coloured by its display status.
export function ecoLayer(eco) {
  const className = `eco-shape ${slug(eco.displayStatus)}`;
  return geoJSON(eco.location, {
    pointToLayer: (_, latlng) => circleMarker(latlng, { radius: 8, className, weight: 3, fillOpacity: 0.5 }),
    style: { className, weight: 4 },
  });
}
