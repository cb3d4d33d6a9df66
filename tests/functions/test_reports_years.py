"""The imported fiscal years with their periods, which the portal's report form offers as a range."""

import pytest

from tests.functions.conftest import ACCOUNTANT, ADMIN, OTHER_ADMIN, api_for, body
from tests.ledger import sme

reports_api = api_for("reports")


@pytest.fixture
def company(demo_companies):
    return demo_companies["Demo SRL"]


def test_before_any_import_a_company_has_no_fiscal_year(reports_api, company):
    response = reports_api.call("GET", f"/companies/{company}/ledger/years", as_user=ADMIN)

    assert response.status_code == 200
    assert body(response) == {"years": []}


def test_the_pushed_years_are_listed_oldest_first_with_the_opening_period_before_the_months(
    reports_api, company
):
    books = sme.build()[0]
    for fy in ("2025", "2024"):
        pushed = reports_api.call(
            "PUT", f"/companies/{company}/ledger/{fy}", as_user=ACCOUNTANT, body=books[fy]
        )
        assert pushed.status_code == 200, pushed.body

    years = body(reports_api.call("GET", f"/companies/{company}/ledger/years", as_user=ADMIN))["years"]

    assert [y["fiscal_year"] for y in years] == ["2024", "2025"]
    periods = [p["id"] for p in years[1]["periods"]]
    assert periods[0] == "2025-00" and years[1]["periods"][0]["special"] == "opening"
    assert periods[1:] == [f"2025-{m:02d}" for m in range(1, 13)]
    assert years[1]["data_date"] == "2025-08-20" and years[0]["state"] == "closed"
    assert years[1]["updated_at"]


def test_another_companys_years_answer_not_found(reports_api, company):
    response = reports_api.call("GET", f"/companies/{company}/ledger/years", as_user=OTHER_ADMIN)

    assert response.status_code == 404
