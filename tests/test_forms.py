"""Forms people expect (issue 12.8): an error summary first, each error linked to its field;
required fields marked and amounts right-aligned (in a browser: test_browser_pages.py)."""


def test_a_form_with_errors_lists_them_first_each_linked_to_its_field(cast, client_for):
    page = client_for(cast.staff_a).post("/donations/gifts/new/", {"note": "x"})
    assert page.status_code == 200
    text = page.content.decode()
    summary = text[text.index('class="error-summary"') :].split("</div>")[0]
    assert "处问题" in summary
    assert 'href="#id_' in summary
    # The summary comes before the form it describes.
    assert text.index('class="error-summary"') < text.index('<form method="post" class="form')


def test_a_form_without_errors_has_no_summary(cast, client_for):
    text = client_for(cast.staff_a).get("/donations/gifts/new/").content.decode()
    assert "error-summary" not in text
    assert " required" in text  # the browser and screen readers know which fields are required
