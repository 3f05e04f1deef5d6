from . import test_install
from . import test_conversion
from . import test_duplicates
from . import test_mass
from . import test_race
from . import test_access
from . import test_performance
from . import test_ui
