from . import crm_lead_conversion
