import hashlib
import inspect
import random

from odoo.addons.crm.models.crm_team import Team
from odoo.addons.lead_scoring.models.crm_lead import AssignmentRouting
from odoo.osv import expression
from odoo.tests import TransactionCase, tagged, users

from .test_priority import PriorityCommon

#: sha256 of the source of crm's loops that lead_scoring routes teams with
#: minimums through (see AssignmentRouting). A change of Odoo that changes
#: them fails here: review AssignmentRouting (the allocation's search of a
#: team's leads, the round robin's sort, its conversion), then update these.
CRM_LOOPS = {
    "_allocate_leads": (
        "e2fb786575e4787b9568465d3ef09510ac4ad49df3a997cbe152bfb823d26852"
    ),
    "_assign_and_convert_leads": (
        "2d464229a82db565f32756cea285c260cc85f92d32b082e3d0f8de40053abec8"
    ),
}


@tagged("post_install", "-at_install")
class TestCrmLoopFingerprint(TransactionCase):
    def test_crm_loops_unchanged(self):
        for name, expected in CRM_LOOPS.items():
            with self.subTest(method=name):
                source = inspect.getsource(getattr(Team, name))
                self.assertEqual(
                    hashlib.sha256(source.encode()).hexdigest(),
                    expected,
                    f"crm.team.{name} changed: review lead_scoring's "
                    "AssignmentRouting, then update CRM_LOOPS",
                )

    def test_crm_sort_is_recognised(self):
        """The round robin's sort lead_scoring recognises is still crm's."""
        source = inspect.getsource(Team._assign_and_convert_leads)
        self.assertEqual(source.count(".sorted(lambda lead:"), 1)


@tagged("post_install", "-at_install")
class TestRoutingByPriority(PriorityCommon):
    """A team with fit and engagement minimums receives, through crm's own
    allocation and round robin, exactly the leads reaching them, the best
    priority first."""

    good_fit_points = 35  # B1 (35 / 35) scores more than A2 (50 / 15)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["crm.team"].search([]).write({"active": False})
        cls.env["ir.config_parameter"].set_param(
            "lead_scoring.assignment_notify", "False"
        )
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Fit and engaged",
                "company_id": cls.company.id,
                "min_fit_score": 30,
                "min_engagement_score": 10,
            }
        )
        cls.member = cls.env["crm.team.member"].create(
            {
                "crm_team_id": cls.team.id,
                "user_id": cls.user_sales_salesman.id,
                "assignment_max": 60,  # 2 leads a day
            }
        )
        cls.general = cls.env["crm.team"].create(
            {"name": "General", "company_id": cls.company.id}
        )
        cls.env["crm.team.member"].create(
            {
                "crm_team_id": cls.general.id,
                "user_id": cls.user_sales_salesman_2.id,
                "assignment_max": 300,
            }
        )

    def _lead(self, name, tag=None, emails=0):
        lead = self._create_lead(
            name,
            tag_ids=[(6, 0, tag.ids)] if tag else [],
            company_id=self.company.id,
            user_id=False,
            team_id=False,
        )
        for __ in range(emails):
            self._receive_email(lead)
        return lead

    def _make_leads(self):
        leads = {
            "a1": self._lead("a1", self.tag_strong, emails=2),  # 50 / 35: 85
            "b1": self._lead("b1", self.tag_good, emails=2),  # 35 / 35: 70
            "a2": self._lead("a2", self.tag_strong, emails=1),  # 50 / 15: 65
            "b2": self._lead("b2", self.tag_good, emails=1),  # 35 / 15: 50
            "a3": self._lead("a3", self.tag_strong),  # 50 / 0
            "c1": self._lead("c1", emails=2),  # 0 / 35
            "c3": self._lead("c3"),  # 0 / 0
        }
        self._run_events()
        self.env.invalidate_all()
        self.assertEqual(
            {name: lead.lead_priority for name, lead in leads.items()},
            {
                "a1": "A1",
                "b1": "B1",
                "a2": "A2",
                "b2": "B2",
                "a3": "A3",
                "c1": "C1",
                "c3": "C3",
            },
        )
        return leads

    def _names(self, leads):
        return sorted(leads.mapped("name"))

    @users("scoring_manager")
    def test_team_receives_leads_reaching_both_best_priority_first(self):
        leads = self._make_leads()
        all_leads = self.Lead.browse([lead.id for lead in leads.values()])
        random.seed(25)
        teams = (self.team | self.general).with_env(self.env)
        teams._action_assign_leads(force_quota=True, creation_delta_days=0)
        all_leads.invalidate_recordset()
        self.assertEqual(
            self._names(all_leads.filtered(lambda lead: lead.team_id == self.team)),
            ["a1", "a2", "b1", "b2"],
            "exactly the leads reaching both minimums",
        )
        self.assertEqual(
            self._names(all_leads.filtered(lambda lead: lead.team_id == self.general)),
            ["a3", "c1", "c3"],
            "the others are crm's, for the team without minimum",
        )
        # a quota of 2: A1 and A2, although B1 scores more than A2
        mine = all_leads.filtered(lambda lead: lead.user_id == self.user_sales_salesman)
        self.assertEqual(self._names(mine), ["a1", "a2"])
        self.assertEqual(set(mine.mapped("type")), {"opportunity"})
        waiting = all_leads.filtered(
            lambda lead: lead.team_id == self.team and not lead.user_id
        )
        self.assertEqual(self._names(waiting), ["b1", "b2"])
        self.assertEqual(set(waiting.mapped("type")), {"lead"})

    @users("scoring_manager")
    def test_qualified_count_and_each_minimum(self):
        self._make_leads()
        team = self.team.with_env(self.env)
        self.assertEqual(team.qualified_lead_count, 4)
        team.min_engagement_score = 0
        team.invalidate_recordset(["qualified_lead_count"])
        self.assertEqual(team.qualified_lead_count, 5, "a3 reaches the fit minimum")
        team.write({"min_fit_score": 0, "min_engagement_score": 30})
        team.invalidate_recordset(["qualified_lead_count"])
        self.assertEqual(team.qualified_lead_count, 3, "a1, b1 and c1 engaged")
        self.assertEqual(
            team._get_scoring_minimum_domain(), [("engagement_score", ">=", 30)]
        )

    def test_allocation_search_in_priority_order(self):
        """crm's search of the team's leads, as its allocation builds it,
        returns the leads reaching the minimums, the best priority first."""
        leads = self._make_leads()
        mark = ("create_date", "<=", self.env.cr.now())
        domain = expression.AND(
            [
                [mark],
                ["&", ("team_id", "=", False), ("user_id", "=", False)],
                [("id", "in", [lead.id for lead in leads.values()])],
            ]
        )
        Lead = self.Lead.with_context(
            lead_scoring_routing=AssignmentRouting(
                allocation=self.team, allocation_mark=mark
            )
        )
        self.assertEqual(Lead.search(domain).mapped("name"), ["a1", "a2", "b1", "b2"])
        # the next search is no team's: crm's own
        self.assertEqual(len(Lead.search(domain)), 7)

    def test_allocation_team_without_its_domain_fails_loudly(self):
        self.team.assignment_domain = "[('email_from', 'ilike', '@routing.example')]"
        mark = ("create_date", "<=", self.env.cr.now())
        routing = AssignmentRouting(allocation=self.team, allocation_mark=mark)
        with self.assertRaisesRegex(ValueError, "review lead_scoring"):
            self.Lead.with_context(lead_scoring_routing=routing).search([mark])

    def test_client_context_cannot_route(self):
        """A client's context holds only JSON values: a routing sent by a
        client is ignored, the conversion converts."""
        if "conversion_requires_qualification" in self.company._fields:
            # lead_conversion's gate would keep this unqualified lead a lead
            self.company.conversion_requires_qualification = False
        self.team.assignment_convert = False
        lead = self._lead("sent", self.tag_strong)
        lead.team_id = self.team
        sent = lead.with_context(lead_scoring_routing={"assigning": True})
        self.assertFalse(sent._get_assignment_kept_leads())
        sent.convert_opportunity(False, user_ids=self.user_sales_salesman.ids)
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.user_id, self.user_sales_salesman)

    @users("scoring_manager")
    def test_team_keeping_leads_as_leads(self):
        self.team.assignment_convert = False
        leads = self._make_leads()
        self.team.with_env(self.env)._action_assign_leads(
            force_quota=True, creation_delta_days=0
        )
        mine = self.Lead.browse([lead.id for lead in leads.values()]).filtered(
            lambda lead: lead.user_id == self.user_sales_salesman
        )
        self.assertEqual(self._names(mine), ["a1", "a2"])
        self.assertEqual(set(mine.mapped("type")), {"lead"})
        self.assertFalse(any(mine.mapped("date_conversion")))
