"""The member map works offline: GeoJSON from the server, markers, no tile server."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from grappe.members.selectors import directory_geojson
from tests.factories import make_member, make_org

pytestmark = pytest.mark.e2e

# Counts the canvas pixels of each marker fill (map.js: exact point / commune centroid) and
# returns the centre of the exact points' pixels, in page coordinates.
MARKER_PIXELS = """() => {
  const canvas = document.querySelector('#map .leaflet-overlay-pane canvas');
  if (!canvas) return null;
  const { width, height } = canvas;
  const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
  const near = (i, [r, g, b]) =>
    Math.abs(data[i] - r) < 8 && Math.abs(data[i + 1] - g) < 8 && Math.abs(data[i + 2] - b) < 8;
  let exact = 0, approximate = 0, sx = 0, sy = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (near(i, [0x7c, 0x3a, 0xed])) {
      exact++; sx += (i / 4) % width; sy += Math.floor(i / 4 / width);
    } else if (near(i, [0xdd, 0xd6, 0xfe])) approximate++;
  }
  const box = canvas.getBoundingClientRect();
  return {
    exact, approximate,
    x: exact ? box.left + (sx / exact) * box.width / width : null,
    y: exact ? box.top + (sy / exact) * box.height / height : null,
  };
}"""


@pytest.fixture
def mapped(world):
    """Studio Alpha and Label Beta sit at the 18e's centroid; one firm has its own point."""
    org = make_org(
        "Studio des Abbesses",
        description="Studio de mixage",
        latitude=Decimal("48.88440"),
        longitude=Decimal("2.33860"),
    )
    far = make_org("Studio des Batignolles", commune="75117")
    make_member(world.paris, org)
    make_member(world.paris, far)
    return org


def test_map_loads_the_geojson_and_draws_every_member_without_tiles(
    page, world, mapped, screenshot
):
    expected = directory_geojson(cluster=world.paris)["features"]
    assert len(expected) == 4
    with page.expect_response("**/c/paris/directory/map.geojson") as answer:
        page.goto("/c/paris/directory/map/")
    assert answer.value.ok
    assert answer.value.headers["content-type"] == "application/geo+json"
    assert answer.value.json()["features"] == expected

    # map.js marks the map once every feature is on it.
    expect(page.locator("#map")).to_have_attribute("data-loaded", "4")
    expect(page.locator("#map .leaflet-tile")).to_have_count(0)
    # The two firms at the 18e's centroid share one cluster icon.
    expect(page.locator("#map .marker-cluster")).to_have_text("2")
    pixels = page.evaluate(MARKER_PIXELS)
    assert pixels["exact"] > 50, pixels  # one dark marker: the firm with its own point
    assert pixels["approximate"] > 50, pixels  # pale ones: placed at their commune
    expect(page.get_by_role("region", name="Carte des membres")).to_be_visible()
    screenshot("map")

    # The exact marker opens a popup that leads to the firm's profile.
    page.mouse.click(pixels["x"], pixels["y"])
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Studio des AbbessesParis 18e Arrondissement")
    popup.get_by_role("link", name="Studio des Abbesses").click()
    expect(page).to_have_url(f"/c/paris/organisations/{mapped.slug}/")
