from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from grappe.core import selectors
from grappe.core.models import Cluster

router = Router(tags=["grappes"])


class ClusterOut(Schema):
    slug: str
    name: str
    description: str
    website: str
    communes: list[str]
    naf_codes: list[str]

    @staticmethod
    def resolve_communes(obj) -> list[str]:
        return [c.code for c in obj.communes.all()]


@router.get("", response=list[ClusterOut], summary="Grappes publiques de l'instance")
def cluster_list(request):
    return selectors.cluster_list_listed().prefetch_related("communes")


@router.get("/{slug}", response=ClusterOut, summary="Une grappe")
def cluster_detail(request, slug: str):
    return get_object_or_404(Cluster.objects.prefetch_related("communes"), slug=slug)
