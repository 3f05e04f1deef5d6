from . import crm_lead_scoring_rule
from . import crm_lead_scoring_job
from . import crm_lead_score_history
from . import crm_lead_score
from . import crm_lead
from . import crm_stage
from . import crm_team
from . import ir_rule
