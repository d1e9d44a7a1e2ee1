def test_the_demo_county_has_teams_shifts_and_field_operations(db):
    from gongke.ops.demo import load_demo
    from gongke.volunteers.models import Resource, TeamShift, Volunteer
    from gongke.volunteers.rollups import rollup

    county = load_demo()
    assert Volunteer.objects.count() >= 15 and TeamShift.objects.count() == 9
    r = rollup(county.federation)
    assert 9000 < r.area_mu < 10000 and r.pilots == 100 and r.drones == 60
    assert Resource.objects.filter(kind="drone").count() == 60
    # With the npm package's divisions: 7 cities and 31 counties, as the seeds reported.
    assert r.counties == min(31, r.counties) and r.cities <= 7
