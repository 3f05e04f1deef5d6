from . import crm_lead_scoring_rule
from . import crm_lead
from . import website_visitor
