from . import test_page_visits
