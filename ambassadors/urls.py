app_name = "ambassadors"

urlpatterns = []
