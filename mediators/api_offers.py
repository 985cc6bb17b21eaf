"""An external mediator's offers: the inbox, accept, decline. Others see none of them (404)."""

from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.strict_fields import StrictCharField
from intake.api.cases import client_addr
from mediators.access import is_external_mediator
from mediators.models import Offer, User
from mediators.offer_selectors import offer_get_for_user, offers_for_user
from mediators.offers import offer_accept, offer_decline


class IsExternalMediator(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return is_external_mediator(request.user)


def own_offer(user: User, offer_id: int) -> Offer:
    """The mediator's own offer, else 404 (the inbox pages use the same selector)."""
    return offer_get_for_user(user=user, offer_id=offer_id)


class OfferOutput(serializers.ModelSerializer[Offer]):
    reference = serializers.CharField(source="case.reference")
    case_type = serializers.CharField(source="case.case_type")

    class Meta:
        model = Offer
        fields = [
            "id",
            "reference",
            "case_type",
            "status",
            "deadline",
            "location",
            "remote",
            "hours",
            "journey_minutes",
            "reasons",
            "created_at",
            "responded_at",
        ]


class OffersApi(APIView):
    permission_classes = [IsExternalMediator]

    @extend_schema(responses={200: OfferOutput(many=True)})
    def get(self, request: Request) -> Response:
        user = cast(User, request.user)
        offers = offers_for_user(user=user)
        return Response(OfferOutput(offers.order_by("deadline")[:200], many=True).data)


class OfferAcceptApi(APIView):
    permission_classes = [IsExternalMediator]

    class AcceptInputSerializer(serializers.Serializer[dict[str, Any]]):
        starts_at = serializers.DateTimeField(required=False, allow_null=True)

    @extend_schema(request=AcceptInputSerializer, responses={200: OfferOutput})
    def post(self, request: Request, offer_id: int) -> Response:
        offer = own_offer(cast(User, request.user), offer_id)
        data = self.AcceptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        offer_accept(
            offer=offer,
            starts_at=data.validated_data.get("starts_at"),
            actor=request.user,
            remote_addr=client_addr(request),
        )
        offer.refresh_from_db()
        return Response(OfferOutput(offer).data)


class OfferDeclineApi(APIView):
    permission_classes = [IsExternalMediator]

    class DeclineInputSerializer(serializers.Serializer[dict[str, Any]]):
        reason = StrictCharField(max_length=500)

    @extend_schema(request=DeclineInputSerializer, responses={200: OfferOutput})
    def post(self, request: Request, offer_id: int) -> Response:
        offer = own_offer(cast(User, request.user), offer_id)
        data = self.DeclineInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        offer_decline(
            offer=offer,
            reason=data.validated_data["reason"],
            actor=request.user,
            remote_addr=client_addr(request),
        )
        offer.refresh_from_db()
        return Response(OfferOutput(offer).data, status=status.HTTP_200_OK)
