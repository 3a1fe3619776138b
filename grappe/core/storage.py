"""Static files storage for production: hashed names and compressed copies (WhiteNoise),
without rewriting JavaScript source-map comments — vendored libraries (Leaflet's marker
clusters) reference maps their packages do not ship, which would fail collectstatic."""

from django.contrib.staticfiles.storage import HashedFilesMixin
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    patterns = tuple(p for p in HashedFilesMixin.patterns if p[0] != "*.js")
