// Leaflet, as Debian ships it, built into the appliance. With no tile server the map is a plain background
// with the layers drawn on it; a site that hosts tiles can name their URL template in the settings.
import { map as leafletMap, tileLayer } from "/app/vendor/leaflet/leaflet.esm.js";

export function makeMap(element, settings, context) {
  const map = leafletMap(element, { attributionControl: false, keyboard: true })
    .setView([settings.mapCenter.latitude, settings.mapCenter.longitude], settings.mapZoom[context]);
  if (settings.tileURLTemplate) tileLayer(settings.tileURLTemplate, { maxZoom: 19 }).addTo(map);
  return map;
}
