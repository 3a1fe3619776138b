"""Every API error answers in JSON with a message, even those raised outside the API's
own handlers (an unsupported method, an unknown URL under /api/)."""

from django.http import JsonResponse

MESSAGES = {
    400: "Requête invalide.",
    401: "Authentification requise.",
    403: "Action non autorisée.",
    404: "Introuvable.",
    405: "Méthode non autorisée.",
    413: "Requête trop volumineuse.",
    415: "Type de contenu non pris en charge.",
}


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and 400 <= response.status_code < 500
            and "json" not in response.get("Content-Type", "")
        ):
            json_response = JsonResponse(
                {"detail": MESSAGES.get(response.status_code, response.reason_phrase)},
                status=response.status_code,
            )
            if response.has_header("Allow"):
                json_response["Allow"] = response["Allow"]
            return json_response
        return response
