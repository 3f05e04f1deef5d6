from . import crm_lead_to_opportunity
from . import crm_lead_to_opportunity_mass
