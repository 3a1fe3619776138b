import math

from hypothesis import given
from hypothesis import strategies as st

from grappe.engine.geo import haversine_km, lambert93_to_wgs84, wgs84_to_lambert93


def test_projection_origin_is_the_false_origin():
    lat, lon = lambert93_to_wgs84(700000, 6600000)
    assert math.isclose(lat, 46.5, abs_tol=1e-9)
    assert math.isclose(lon, 3.0, abs_tol=1e-9)


def test_paris_18e_lands_in_paris():
    x, y = wgs84_to_lambert93(48.8925, 2.3484)
    assert 650_000 < x < 655_000 and 6_864_000 < y < 6_867_000
    lat, lon = lambert93_to_wgs84(x, y)
    assert haversine_km((lat, lon), (48.8925, 2.3484)) < 0.001


@given(st.floats(41.0, 51.5), st.floats(-5.5, 9.8))
def test_round_trip_over_metropolitan_france_is_exact_to_a_centimetre(lat, lon):
    back = lambert93_to_wgs84(*wgs84_to_lambert93(lat, lon))
    assert haversine_km(back, (lat, lon)) < 1e-5


def test_haversine_paris_lyon():
    assert 390 < haversine_km((48.8566, 2.3522), (45.7640, 4.8357)) < 395
