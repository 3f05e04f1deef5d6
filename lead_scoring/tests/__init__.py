from . import test_install
from . import test_scoring
from . import test_rule
from . import test_assignment
from . import test_access
from . import test_performance
from . import test_ui
from . import test_translation
