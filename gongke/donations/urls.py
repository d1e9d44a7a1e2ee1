from django.urls import path

from . import views

app_name = "donations"
urlpatterns = [
    path("", views.index, name="index"),
    path("gifts/", views.gifts, name="gifts"),
    path("gifts/new/", views.gift_new, name="gift-new"),
    path("donors/suggestions/", views.donor_suggestions, name="donor-suggestions"),
    path("gifts/<int:pk>/", views.gift, name="gift"),
    path("gifts/<int:pk>/receive/", views.gift_receive, name="gift-receive"),
    path("gifts/<int:pk>/forward/", views.gift_forward, name="gift-forward"),
    path("gifts/<int:pk>/allocate/", views.gift_allocate, name="gift-allocate"),
    path("entries/<int:pk>/reverse/", views.entry_reverse, name="entry-reverse"),
    path("entries/<int:pk>/receipt/", views.entry_receipt, name="entry-receipt"),
    path("ledger/", views.ledger, name="ledger"),
    path("donors/", views.donors, name="donors"),
    path("donors/<int:pk>/", views.donor, name="donor"),
    path("donors/<int:pk>/merge/", views.donor_merge, name="donor-merge"),
    path("donors/merges/<int:pk>/undo/", views.donor_unmerge, name="donor-unmerge"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
    path("import/", views.import_gifts, name="import"),
    path("import/template.xlsx", views.import_template, name="import-template"),
    path("import/reviews/<int:pk>/", views.import_review, name="import-review"),
    path("receipts/", views.receipts, name="receipts"),
    path("receipts/<int:pk>/", views.receipt, name="receipt"),
    path("receipts/<int:pk>/pdf/", views.receipt_pdf, name="receipt-pdf"),
    # Public, no login: anyone checks a receipt; the honor list (公示).
    path("verify/", views.verify_lookup, name="verify-lookup"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("honor/<int:org_id>/<int:campaign_id>/", views.honor, name="honor"),
]
