"""The base of every /api/v1 request body: what PostgreSQL refuses, SQLite refuses too.

PostgreSQL refuses a string longer than its column, an integer outside its column's range and a
NUL character (a 500 there), where SQLite stores them silently. A body schema names the model it
writes (`model = Household`, and `model_names` for a field named otherwise); each of its fields
named after a model field then gets that field's limits (max_length; integer range; decimal
digits), visible in the OpenAPI document too. Every integer is at least kept to 64 bits and no
string may hold a NUL, whatever model it goes to: the caller gets a 422 on both databases."""

import datetime
from decimal import Decimal
from types import UnionType
from typing import Annotated, Any, ClassVar, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt, MaxLen
from django.db import models
from ninja import Schema
from pydantic import AfterValidator, BaseModel, PlainSerializer, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

INT64 = (-(2**63), 2**63 - 1)
INT32 = (-(2**31), 2**31 - 1)
RANGES = {
    "SmallIntegerField": (-(2**15), 2**15 - 1),
    "PositiveSmallIntegerField": (0, 2**15 - 1),
    "IntegerField": INT32,
    "PositiveIntegerField": (0, INT32[1]),
    "BigIntegerField": INT64,
    "PositiveBigIntegerField": (0, INT64[1]),
    "AutoField": INT32,
    "BigAutoField": INT64,
}


CENT = Decimal("0.01")


def _two_places(value: Decimal) -> str:
    return str(Decimal(value).quantize(CENT))


# An amount of money in an answer: always two decimals ("100000.00"), whatever the database
# returned (SQLite and PostgreSQL give sums and computed figures with different scales).
Yuan = Annotated[Decimal, PlainSerializer(_two_places, return_type=str)]


def has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return any(has_nul(v) for v in value)
    return False


def _is(annotation: Any, kind: type) -> bool:
    """`kind`, or an optional `kind` (not a list of them, nor `kind | something else`)."""
    if annotation is kind:
        return True
    if get_origin(annotation) not in (Union, UnionType):
        return False
    return {a for a in get_args(annotation) if a is not type(None)} == {kind}


def field_limits(field: models.Field, annotation: Any) -> list[Any]:
    """The constraints of one model field, as pydantic metadata for a schema field."""
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    kind = field.get_internal_type()
    if kind in RANGES and _is(annotation, int):
        low, high = RANGES[kind]
        return [Ge(low), Le(high)]
    if (
        isinstance(field, models.DecimalField)
        and field.max_digits is not None
        and _is(annotation, Decimal)
    ):
        bound = Decimal(10) ** (field.max_digits - (field.decimal_places or 0))
        return [Lt(bound), Gt(-bound)]
    if isinstance(field, models.CharField) and field.max_length and _is(annotation, str):
        return [MaxLen(field.max_length)]
    return []


class In(Schema):
    model: ClassVar[type[models.Model] | None] = None
    # A schema field named otherwise than its model field: "name", or (Model, "name").
    model_names: ClassVar[dict[str, Any]] = {}
    # A patch: a field sent changes the row, so null is refused where the column can't hold it
    # (elsewhere null stands for the default, e.g. "today").
    patch: ClassVar[bool] = False

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        changed = False
        for name, info in cls.model_fields.items():
            limits: list[Any] = []
            field = cls.model_field(name)
            if field is not None:
                limits = field_limits(field, info.annotation)
            if not limits and _is(info.annotation, int):
                limits = [Ge(INT64[0]), Le(INT64[1])]
            if limits:
                info.metadata.extend(limits)
                changed = True
        if changed:
            cls.model_rebuild(force=True)

    @classmethod
    def model_field(cls, name: str) -> models.Field | None:
        target = cls.model_names.get(name, name)
        model, target = target if isinstance(target, tuple) else (cls.model, target)
        if model is None:
            return None
        try:
            field = model._meta.get_field(target)
        except Exception:
            return None
        return field if isinstance(field, models.Field) else None

    @field_validator("*", mode="after")
    @classmethod
    def _fits(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and cls.patch:
            field = cls.model_field(info.field_name or "")
            if field is not None and not field.null and not isinstance(field, models.ForeignKey):
                # null on a patch of a column that can't hold one (PostgreSQL: a 500).
                raise PydanticCustomError("none_forbidden", "This field cannot be null.")
        if value is None:
            return value
        if has_nul(value):
            raise PydanticCustomError("string_nul", "Text may not contain NUL characters.")
        if isinstance(value, datetime.time) and value.tzinfo is not None:
            # A time of day is stored without a zone (SQLite refuses one: a 500).
            raise PydanticCustomError("time_aware", "Enter a time of day without a time zone.")
        return value


def _no_nul(value: Any) -> Any:
    if has_nul(value):
        raise PydanticCustomError("string_nul", "Text may not contain NUL characters.")
    return value


def bound_parameters(model: type[BaseModel], seen: set | None = None) -> None:
    """Keep every integer of a parameter model (a path or query parameter, a filter schema)
    to 64 bits, and its text free of NUL: a larger id overflows SQLite's integer binding and
    PostgreSQL refuses a NUL in a query (each a 500 where the other answers nothing found)."""
    seen = seen if seen is not None else set()
    if model in seen or issubclass(model, In):
        return
    seen.add(model)
    changed = False
    for info in model.model_fields.values():
        annotation = info.annotation
        if _is(annotation, int) and not any(isinstance(m, Ge | Le) for m in info.metadata):
            info.metadata.extend([Ge(INT64[0]), Le(INT64[1])])
            changed = True
        elif _is(annotation, str):
            info.metadata.append(AfterValidator(_no_nul))
            changed = True
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            bound_parameters(annotation, seen)
    if changed:
        model.model_rebuild(force=True)
