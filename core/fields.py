"""API fields shared by the apps."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

MAX_IDS = 200  # more people at one review or tasks before one task than any project has
LARGEST_ID = 2**63 - 1


class PrimaryKeyList(serializers.ManyRelatedField):
    """A list of ids checked in one query, after dropping repeats and refusing long lists.

    DRF's `many=True` fetches each id on its own: 5,000 repeated ids were 5,000 queries."""

    default_error_messages = {"too_many": _("Give at most {max} ids.")}

    def __init__(self, *args, max_length: int = MAX_IDS, **kwargs) -> None:
        self.max_length = max_length
        super().__init__(*args, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, (str, dict)) or not hasattr(data, "__iter__"):
            self.fail("not_a_list", input_type=type(data).__name__)
        if not self.allow_empty and len(data) == 0:
            self.fail("empty")
        child = self.child_relation
        ids: dict[int, None] = {}  # ordered, without repeats
        for item in data:
            try:
                if isinstance(item, (bool, float, list, dict)) or item is None:
                    raise TypeError
                ids[int(item)] = None
            except (TypeError, ValueError):
                child.fail("incorrect_type", data_type=type(item).__name__)
            if len(ids) > self.max_length:
                self.fail("too_many", max=self.max_length)
        wanted = [pk for pk in ids if 0 < pk <= LARGEST_ID]
        found = {obj.pk: obj for obj in child.get_queryset().filter(pk__in=wanted)}
        for pk in ids:
            if pk not in found:
                child.fail("does_not_exist", pk_value=pk)
        return [found[pk] for pk in ids]


class PrimaryKeysRelatedField(serializers.PrimaryKeyRelatedField):
    """`PrimaryKeyRelatedField` whose `many=True` form is a `PrimaryKeyList`."""

    @classmethod
    def many_init(cls, *args, **kwargs):
        max_length = kwargs.pop("max_length", MAX_IDS)
        list_kwargs = {"child_relation": cls(*args, **kwargs), "max_length": max_length}
        list_kwargs.update({key: kwargs[key] for key in kwargs if key in MANY_RELATION_KWARGS})
        return PrimaryKeyList(**list_kwargs)


class StrictCharField(serializers.CharField):
    """A string and nothing else. DRF's CharField turns the number 0 into "0"; the schema says
    `type: string`, and a client sending a number has made a mistake worth a 400."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ModelSerializer(serializers.ModelSerializer):
    """The API's model serializers: text fields are strict strings."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
    }
