"""The stock ledger as a state machine: any sequence of receipts, issues, transfers, returns,
stocktakes and reversals keeps every balance equal to a simple model, equal to the sum of its
movements, and never below zero; a refused write changes nothing."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from gongke.supplies import services
from gongke.supplies.models import Movement, Stock

_names = itertools.count()


def run_machine(world):
    class Ledger(RuleBasedStateMachine):
        @initialize()
        def start(self):
            # A fresh item per example: the database outlives examples, the model does not.
            self.item = services.save_item(
                user=world.fed_admin,
                organization=world.federation,
                name=f"测试物资{next(_names)}",
                category="other",
                base_unit="只",
            )
            self.houses = [world.main, world.spare]
            self.lots = []
            self.model: dict[tuple[int, int], int] = {}
            self.movements: list[Movement] = []
            self.reversed: set[int] = set()

        def _expect(self, ok: bool, action):
            before = Movement.objects.count()
            if ok:
                result = action()
            else:
                with pytest.raises(ValidationError):
                    action()
                assert Movement.objects.count() == before  # nothing half-written
                result = None
            return result

        @rule(qty=st.integers(1, 500), house=st.integers(0, 1))
        def receive(self, qty, house):
            lot = services.receive(
                user=world.staff_a, warehouse=self.houses[house], item=self.item, quantity=qty
            )
            self.lots.append(lot)
            key = (lot.pk, self.houses[house].pk)
            self.model[key] = self.model.get(key, 0) + qty
            self.movements.append(lot.movements.get())

        @precondition(lambda self: self.lots)
        @rule(qty=st.integers(1, 800), house=st.integers(0, 1))
        def issue_fefo(self, qty, house):
            warehouse = self.houses[house]
            held = sum(v for (_l, w), v in self.model.items() if w == warehouse.pk)
            done = self._expect(
                qty <= held,
                lambda: services.issue(
                    user=world.staff_a,
                    warehouse=warehouse,
                    item=self.item,
                    quantity=qty,
                    recipient=world.hospital,
                ),
            )
            for m in done or []:
                self.model[(m.lot_id, warehouse.pk)] += m.quantity
                self.movements.append(m)

        @precondition(lambda self: self.lots)
        @rule(data=st.data(), qty=st.integers(1, 300), house=st.integers(0, 1))
        def transfer(self, data, qty, house):
            lot = data.draw(st.sampled_from(self.lots))
            source, destination = self.houses[house], self.houses[1 - house]
            ok = self.model.get((lot.pk, source.pk), 0) >= qty
            out = self._expect(
                ok,
                lambda: services.transfer(
                    user=world.staff_a,
                    lot=lot,
                    source=source,
                    destination=destination,
                    quantity=qty,
                ),
            )
            if out is not None:
                self.model[(lot.pk, source.pk)] -= qty
                key = (lot.pk, destination.pk)
                self.model[key] = self.model.get(key, 0) + qty
                self.movements += [out, Movement.objects.get(pk=out.pair_id)]

        @precondition(lambda self: self.lots)
        @rule(data=st.data(), counted=st.integers(0, 600), house=st.integers(0, 1))
        def stocktake(self, data, counted, house):
            lot = data.draw(st.sampled_from(self.lots))
            warehouse = self.houses[house]
            m = services.adjust(
                user=world.staff_a, lot=lot, warehouse=warehouse, counted=counted, reason="盘点"
            )
            if m is not None:
                self.movements.append(m)
            self.model[(lot.pk, warehouse.pk)] = counted

        @precondition(lambda self: self.lots)
        @rule(data=st.data(), qty=st.integers(1, 100))
        def give_back(self, data, qty):
            lot = data.draw(st.sampled_from(self.lots))
            m = services.return_goods(
                user=world.staff_a,
                lot=lot,
                warehouse=world.main,
                quantity=qty,
                recipient=world.hospital,
                reason="未用完退回",
            )
            key = (lot.pk, world.main.pk)
            self.model[key] = self.model.get(key, 0) + qty
            self.movements.append(m)

        @precondition(lambda self: self.movements)
        @rule(data=st.data())
        def reverse(self, data):
            m = data.draw(st.sampled_from(self.movements))
            legs = [m] + ([Movement.objects.get(pk=m.pair_id)] if m.pair_id else [])
            ok = all(
                leg.reverses_id is None and leg.pk not in self.reversed for leg in legs
            ) and all(
                self.model.get((leg.lot_id, leg.warehouse_id), 0) - leg.quantity >= 0
                for leg in legs
            )
            done = self._expect(
                ok, lambda: services.reverse(user=world.staff_a, movement=m, reason="录错了")
            )
            if done is not None:
                for leg in legs:
                    self.model[(leg.lot_id, leg.warehouse_id)] -= leg.quantity
                    self.reversed.add(leg.pk)

        @invariant()
        def balances_match(self):
            if not hasattr(self, "item"):
                return
            stock = {
                (s.lot_id, s.warehouse_id): s.quantity for s in Stock.objects.filter(item=self.item)
            }
            assert {k: v for k, v in stock.items() if v} == {
                k: v for k, v in self.model.items() if v
            }
            assert all(v >= 0 for v in stock.values())
            sums = {
                (r["lot_id"], r["warehouse_id"]): r["n"]
                for r in Movement.objects.filter(item=self.item)
                .values("lot_id", "warehouse_id")
                .annotate(n=Sum("quantity"))
            }
            assert {k: v for k, v in sums.items() if v} == {k: v for k, v in stock.items() if v}
            assert services.balance(item=self.item) == sum(self.model.values())

    Ledger.TestCase.settings = settings(max_examples=25, stateful_step_count=20, deadline=None)
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(Ledger, settings=Ledger.TestCase.settings)


def test_the_ledger_keeps_balances_exact_and_never_negative(stores):
    run_machine(stores)
