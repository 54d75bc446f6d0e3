"""Arithmetic in SQL that gives the same figure on PostgreSQL and on SQLite.

SQLite divides an integer by an integer as integers (2 / 3 is 0), and keeps a cast to NUMERIC
of a whole number as an integer, so ``Cast(a, DecimalField()) / b`` is a share on PostgreSQL
and a truncated whole number on SQLite. Every division of the figures goes through ``Ratio``.
"""

from django.db.models import DecimalField, F, Func

SHARE = DecimalField(max_digits=20, decimal_places=10)


class Ratio(Func):
    """``numerator ÷ denominator`` as a decimal with ten places on either database; none (SQL
    NULL) where the denominator is zero or missing, never an error. Either side may be a
    field's name or an expression."""

    output_field = SHARE

    def __init__(self, numerator, denominator) -> None:
        def expression(side):
            return F(side) if isinstance(side, str) else side

        super().__init__(expression(numerator), expression(denominator))

    def _divided(self, compiler) -> tuple[str, list]:
        numerator, denominator = self.get_source_expressions()
        top, top_params = compiler.compile(numerator)
        bottom, bottom_params = compiler.compile(denominator)
        # ``* 1.0`` makes the numerator a decimal (PostgreSQL) or a real (SQLite) before the
        # division, so neither divides two whole numbers as whole numbers.
        return f"(({top}) * 1.0 / NULLIF(({bottom}), 0))", [*top_params, *bottom_params]

    def as_sqlite(self, compiler, connection, **extra):
        # Rounded to the field's places as PostgreSQL's cast does, so both give 0.6666666667
        # (a real would read back as 0.666666666666667); NUMERIC, so it compares as a number.
        sql, params = self._divided(compiler)
        return f"CAST(ROUND({sql}, {self.output_field.decimal_places}) AS NUMERIC)", params

    # Mutation testing runs on SQLite, which calls neither of these: tests/test_sql.py states
    # PostgreSQL's in CI (as_sql is for any other database).
    def as_postgresql(self, compiler, connection, **extra):  # pragma: no mutate
        sql, params = self._divided(compiler)  # pragma: no mutate
        places = self.output_field.decimal_places  # pragma: no mutate
        digits = self.output_field.max_digits  # pragma: no mutate
        return f"CAST({sql} AS numeric({digits}, {places}))", params  # pragma: no mutate

    def as_sql(self, compiler, connection, **extra):  # pragma: no mutate
        return self._divided(compiler)  # pragma: no mutate
