from django.urls import path

from . import views_account

urlpatterns = [
    path("accounts/", views_account.AccountListView.as_view(), name="account_list"),
    path("accounts/<int:pk>/", views_account.account_data_view, name="account_data"),
    path("accounts/<int:pk>/gegevens.json", views_account.account_data_json, name="account_data_json"),
    path("accounts/<int:pk>/wissen/", views_account.account_erase_view, name="account_erase"),
]
