from django.conf import settings


def grappe(request):
    return {
        "GRAPPE_BASE_URL": settings.BASE_URL,
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
    }
