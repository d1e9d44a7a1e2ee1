"""Backup and restore round trip on the database the suite runs on (SQLite or PostgreSQL)."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from gongke.ops import backup as backup_module
from gongke.registry import services
from gongke.registry.models import Organization, OrgKind, Person

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_backup_restores_the_database_as_it_was(cast, tmp_path, capsys):
    services.save_person(organization=cast.a1, name="陈静", id_number="11010519491231002X")
    target = tmp_path / "gongke.backup"
    call_command("backup", str(target))
    assert target.exists() and target.stat().st_size > 0
    assert str(target) in capsys.readouterr().out

    services.create_organization(
        parent=cast.chamber_a, kind=OrgKind.ENTERPRISE, name="备份之后的企业"
    )
    Person.objects.filter(name="陈静").delete()
    services.update_organization(cast.a1, name="改过的名字")

    call_command("restore", str(target), "--yes")
    connection.close()  # the next query opens a fresh connection to the restored database
    assert not Organization.objects.filter(name="备份之后的企业").exists()
    assert Organization.objects.get(pk=cast.a1.pk).name == "京博集团"
    person = Person.objects.get(name="陈静")
    assert person.id_number_masked == "110***************"
    assert Organization.objects.count() == 6
    # the restored database keeps working for writes
    services.create_organization(
        parent=cast.chamber_a, kind=OrgKind.ENTERPRISE, name="恢复之后的企业"
    )


def test_restore_refuses_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError):
        call_command("restore", str(tmp_path / "nothing.backup"), "--yes")


def test_restore_asks_first(db, tmp_path, monkeypatch):
    target = tmp_path / "x.backup"
    call_command("backup", str(target))
    monkeypatch.setattr("builtins.input", lambda _prompt: "no")
    with pytest.raises(CommandError):
        call_command("restore", str(target))


@pytest.mark.skipif(
    not backup_module.Path("/usr/lib/postgresql").exists(), reason="no PostgreSQL client tools"
)
def test_the_pg_tools_match_the_server_version():
    tool = backup_module._tool("pg_dump", 15)
    assert backup_module._major(tool) >= 15
