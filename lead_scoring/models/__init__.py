from . import crm_team
