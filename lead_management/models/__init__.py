from . import res_company
from . import res_config_settings
from . import res_partner
from . import crm_lead_status
from . import crm_territory
from . import crm_lead
