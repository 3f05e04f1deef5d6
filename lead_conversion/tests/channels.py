"""What every channel a lead arrives by must produce: shared by the channel
tests (e-mail alias, import, JSON-RPC client, website contact form)."""

import unittest

from .common import LeadConversionCommon


class ChannelCommon(LeadConversionCommon):
    """lead_management's territories and teams (Hồ Chí Minh City: southern
    team; Hà Nội: northern team, regional manager), one active scoring rule
    for leads with an email and one for Vietnamese leads, and a known
    customer in Hồ Chí Minh City created ten days ago."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "lead_score" not in cls.env["crm.lead"]._fields:
            raise unittest.SkipTest("the channel tests need lead_scoring installed")
        # both regions with a team leader and a regional manager, so that
        # every channel's lead shows them
        cls.team_south.user_id = cls.user_salesman_other
        cls.territory_sg.manager_id = cls.user_regional
        Rule = cls.env["crm.lead.scoring.rule"]
        Rule.search([]).action_archive()
        cls.rule_email = Rule.create(
            {
                "name": "Có email",
                "points": 10,
                "domain": "[('email_from', '!=', False)]",
            }
        )
        cls.rule_vn = Rule.create(
            {
                "name": "Khách Việt Nam",
                "points": 15,
                "domain": "[('country_id.code', '=', 'VN')]",
            }
        )
        cls.customer_sg = cls.env["res.partner"].create(
            {
                "name": "Công ty CP Sao Mai",
                "is_company": True,
                "email": "lienhe@saomai.example.vn",
                "street": "45 Lê Lợi",
                "city": "Hồ Chí Minh",
                "zip": "700000",
                "state_id": cls.state_sg.id,
                "country_id": cls.vn.id,
            }
        )
        cls.env.cr.execute(
            "UPDATE res_partner SET create_date = create_date - interval '10 days'"
            " WHERE id = %s",
            [cls.customer_sg.id],
        )
        cls.customer_sg.invalidate_recordset(["create_date"])
        cls.default_status = cls.env["crm.lead"]._default_lead_status_id()

    def assertCompleteLead(
        self, lead, *, territory, team, returning, rules, lead_type="lead"
    ):
        """The lead came in with its territory and the territory's team, the
        default status, BANT not yet answered, the returning flag and the
        score of the rules it matches."""
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.type, lead_type)
        self.assertEqual(lead.territory_id, territory)
        self.assertEqual(lead.team_id, team)
        self.assertEqual(lead.team_leader_id, team.user_id)
        self.assertEqual(lead.regional_manager_id, territory.manager_id)
        self.assertEqual(lead.lead_status_id, self.default_status)
        self.assertTrue(lead.lead_status_id, "a real status, not empty")
        self.assertEqual(
            [
                lead.bant_budget,
                lead.bant_authority,
                lead.bant_need,
                lead.bant_timeline,
            ],
            ["unknown"] * 4,
        )
        self.assertEqual(lead.bant_score, 0)
        self.assertFalse(lead.is_qualified)
        self.assertEqual(lead.is_returning, returning)
        self.assertEqual(lead.score_rule_ids, rules)
        self.assertEqual(lead.lead_score, sum(rules.mapped("points")))
        self.assertGreater(lead.lead_score, 0)
