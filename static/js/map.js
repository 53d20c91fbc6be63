// The map of partnerships (templates/partnerships/map.html).
//
// Everything comes from this site: the country outlines (data-basemap-url, no tile
// server) and the GeoJSON of the filtered list (data-geojson-url, this page's own query
// string). Lines are partnerships, coloured by status through CSS classes (map.css);
// towns are focusable markers in clusters. Texts come from the page (data-text-*), so
// the map speaks the page's language. No inline script or style: the policy forbids them.
(function () {
  "use strict";

  var element = document.getElementById("map");
  // The filters' disclosure opens and closes by static/js/filters.js, as on the lists.

  if (!element || typeof L === "undefined") {
    return;
  }
  var text = element.dataset;
  var TOWN_SIZE = 14;

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(
      function (response) {
        if (!response.ok) {
          throw new Error(url + ": " + response.status);
        }
        return response.json();
      }
    );
  }

  function node(tag, className, content) {
    var result = document.createElement(tag);
    if (className) {
      result.className = className;
    }
    if (content !== undefined && content !== null) {
      result.textContent = String(content);
    }
    return result;
  }

  function link(url, label) {
    var anchor = node("a", "", label);
    anchor.href = url;
    return anchor;
  }

  var map = L.map(element, {
    keyboard: true,
    zoomSnap: 0.5,
    minZoom: 1,
    maxZoom: 12,
    worldCopyJump: false,
    preferCanvas: false,
    // The basemap covers 25° W to 191° E, 34° to 82° N: no panning off into the blank.
    maxBounds: [
      [20, -40],
      [86, 205],
    ],
    maxBoundsViscosity: 0.7,
  });
  // The zoom level, for the tests and for anyone inspecting the page.
  map.on("zoomend", function () {
    element.setAttribute("data-zoom", String(map.getZoom()));
  });
  map.setView([55, 40], 3);

  // --- Partnerships -------------------------------------------------------------------

  function partnershipPopup(properties) {
    var box = node("div", "map-popup");
    var title = node("p");
    title.appendChild(link(properties.url, properties.german + " – " + properties.russian));
    box.appendChild(title);
    var facts = node("p");
    facts.appendChild(node("span", "status status-" + properties.status, properties.status_label));
    var details = " " + properties.kind_label;
    if (properties.since_year) {
      details += " · " + text.textSince.replace("YEAR", properties.since_year);
    }
    facts.appendChild(document.createTextNode(details));
    box.appendChild(facts);
    return box;
  }

  // --- Towns --------------------------------------------------------------------------

  function townPopup(properties, partnerships) {
    var box = node("div", "map-popup");
    var title = node("p");
    title.appendChild(link(properties.url, properties.name));
    box.appendChild(title);
    if (partnerships.length) {
      var list = node("ul");
      partnerships.forEach(function (partnership) {
        var other = partnership.german_id === properties.id ? partnership.russian : partnership.german;
        var item = node("li");
        item.appendChild(link(partnership.url, other));
        item.appendChild(document.createTextNode(" "));
        item.appendChild(node("span", "status status-" + partnership.status, partnership.status_label));
        list.appendChild(item);
      });
      box.appendChild(list);
    }
    return box;
  }

  // Leaflet closes a popup by Escape only while the map itself has the focus.
  function closeOnEscape(event) {
    if (event.key === "Escape") {
      L.DomEvent.stop(event);
      map.closePopup();
    }
  }

  function townMarker(feature, partnerships) {
    var properties = feature.properties;
    var label = node("span", "visually-hidden", properties.name);
    var icon = L.divIcon({
      className: "town-marker country-" + properties.country,
      html: label,
      iconSize: [TOWN_SIZE, TOWN_SIZE],
    });
    var coordinates = feature.geometry.coordinates;
    var marker = L.marker([coordinates[1], coordinates[0]], {
      icon: icon,
      keyboard: true,
      title: properties.name,
      riseOnHover: true,
    });
    marker.bindPopup(function () {
      return townPopup(properties, partnerships);
    });
    // The popup's first link takes the focus, so that a town opened by keyboard (Enter)
    // leads on to its record and its partnerships; Escape closes it again.
    marker.on("popupopen", function (event) {
      var popup = event.popup.getElement();
      var first = popup.querySelector(".map-popup a");
      if (first) {
        first.focus();
      }
      L.DomEvent.on(popup, "keydown", closeOnEscape);
    });
    marker.on("popupclose", function (event) {
      L.DomEvent.off(event.popup.getElement(), "keydown", closeOnEscape);
      // Back to the town, unless the reader has gone on elsewhere on the page.
      var icon = marker.getElement();
      var active = document.activeElement;
      if (icon && (!active || active === document.body || element.contains(active))) {
        icon.focus({ preventScroll: true });
      }
    });
    return marker;
  }

  // --- Drawing ------------------------------------------------------------------------

  function drawBasemap(geojson) {
    L.geoJSON(geojson, {
      interactive: false,
      style: function () {
        return { className: "land", weight: 0.6 };
      },
    }).addTo(map);
  }

  function drawPartnerships(collection) {
    var lines = collection.features.filter(function (feature) {
      return feature.properties.kind === "partnership";
    });
    var towns = collection.features.filter(function (feature) {
      return feature.properties.kind === "municipality";
    });
    var byTown = {};
    lines.forEach(function (feature) {
      var properties = feature.properties;
      [properties.german_id, properties.russian_id].forEach(function (id) {
        (byTown[id] = byTown[id] || []).push(properties);
      });
    });

    var lineLayer = L.geoJSON(
      { type: "FeatureCollection", features: lines },
      {
        style: function (feature) {
          return {
            className: "partnership-line status-" + feature.properties.status,
            weight: 2.5,
          };
        },
        onEachFeature: function (feature, layer) {
          layer.bindPopup(function () {
            return partnershipPopup(feature.properties);
          });
          layer.bindTooltip(feature.properties.german + " – " + feature.properties.russian, {
            sticky: true,
          });
        },
      }
    ).addTo(map);
    lineLayer.eachLayer(function (layer) {
      var path = layer.getElement && layer.getElement();
      if (path) {
        path.setAttribute("data-partnership", layer.feature.properties.id);
        // Chromium makes a line with a tooltip a tab stop of its own; the keyboard reaches
        // the partnerships through their towns instead (a hundred lines would come first).
        path.setAttribute("tabindex", "-1");
      }
    });

    var clusters = L.markerClusterGroup({
      showCoverageOnHover: false,
      maxClusterRadius: 40,
      spiderfyOnMaxZoom: true,
    });
    towns.forEach(function (feature) {
      clusters.addLayer(townMarker(feature, byTown[feature.properties.id] || []));
    });
    map.addLayer(clusters);

    var bounds = lineLayer.getBounds();
    towns.forEach(function (feature) {
      var c = feature.geometry.coordinates;
      bounds.extend([c[1], c[0]]);
    });
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 8, animate: false });
    }
    element.setAttribute("data-drawn-lines", String(lines.length));
    element.setAttribute("data-drawn-towns", String(towns.length));
    element.setAttribute("data-unplaced", String(collection.unplaced));
    element.setAttribute("data-state", "drawn");
  }

  function fail(error) {
    map.remove();
    element.setAttribute("data-state", "failed");
    element.classList.add("map-failed");
    element.textContent = text.textError;
    if (window.console) {
      window.console.error(error);
    }
  }

  // Both are asked for at once; the outlines are drawn first so that they lie below.
  Promise.all([getJSON(text.basemapUrl), getJSON(text.geojsonUrl)])
    .then(function (answers) {
      drawBasemap(answers[0]);
      drawPartnerships(answers[1]);
    })
    .catch(fail);
})();
