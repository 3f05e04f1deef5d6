from lxml import etree

from odoo.addons.lead_scoring.models.crm_lead import SCORE_BUCKETS, score_bucket_of
from odoo.tests import tagged

from .common import LeadScoringCommon


@tagged("post_install", "-at_install")
class TestScoreBucket(LeadScoringCommon):
    """The score range of a lead, for the score distribution of the lead
    analysis, is kept exact by the set-based scoring."""

    def test_bucket_of_a_score(self):
        self.assertEqual(
            [key for key, __, __ in SCORE_BUCKETS],
            ["below_0", "0", "1_24", "25_49", "50_74", "75_99", "100"],
        )
        for score, bucket in (
            (-1000, "below_0"),
            (-1, "below_0"),
            (0, "0"),
            (1, "1_24"),
            (24, "1_24"),
            (25, "25_49"),
            (74, "50_74"),
            (75, "75_99"),
            (99, "75_99"),
            (100, "100"),
            (5000, "100"),
        ):
            self.assertEqual(score_bucket_of(score), bucket, score)

    def test_scoring_keeps_the_bucket_exact(self):
        lead_vn = self._create_lead("VN", country_id=self.country_vn.id)
        lead_be = self._create_lead("BE", country_id=self.country_be.id)
        lead_none = self._create_lead("None")
        self.assertEqual(
            (lead_vn | lead_be | lead_none).mapped("score_bucket"), ["0"] * 3
        )
        rule_vn = self._create_rule("VN", 30, [("country_id", "=", self.country_vn.id)])
        rule_be = self._create_rule("BE", -5, [("country_id", "=", self.country_be.id)])
        self.assertEqual(
            (lead_vn.lead_score, lead_be.lead_score, lead_none.lead_score), (30, -5, 0)
        )
        self.assertEqual(
            (lead_vn | lead_be | lead_none).mapped("score_bucket"),
            ["25_49", "below_0", "0"],
        )
        rule_vn.points = 80
        self.assertEqual(lead_vn.score_bucket, "75_99")
        self._create_rule("All", 20, [])
        self.assertEqual(
            (lead_vn | lead_be | lead_none).mapped("score_bucket"),
            ["100", "1_24", "1_24"],
        )
        rule_be.action_archive()
        lead_be.country_id = self.country_vn
        self.assertEqual((lead_be.lead_score, lead_be.score_bucket), (100, "100"))
        # searched in SQL as computed
        for lead in lead_vn | lead_be | lead_none:
            self.assertEqual(score_bucket_of(lead.lead_score), lead.score_bucket)
            self.assertEqual(
                self.Lead.search(
                    [
                        ("id", "in", (lead_vn | lead_be | lead_none).ids),
                        ("score_bucket", "=", lead.score_bucket),
                    ]
                ),
                (lead_vn | lead_be | lead_none).filtered(
                    lambda other, lead=lead: other.score_bucket == lead.score_bucket
                ),
            )

    def test_score_distribution(self):
        self._create_rule("Campaign", 30, [("campaign_id", "=", self.campaign.id)])
        leads = self.Lead.create(
            [
                {
                    "name": f"Dist {i}",
                    "campaign_id": self.campaign.id if i % 2 else False,
                }
                for i in range(5)
            ]
        )
        distribution = dict(
            self.Lead._read_group(
                [("id", "in", leads.ids)], ["score_bucket"], ["__count"]
            )
        )
        self.assertEqual(distribution, {"0": 3, "25_49": 2})

    def test_score_ranges_grouped_in_their_order(self):
        """The analysis lists the ranges lowest first (Below 0, Zero, 1 to 24,
        ...), either way round, not in the alphabetical order of their keys."""
        self._create_rule("Campaign", 30, [("campaign_id", "=", self.campaign.id)])
        self._create_rule("BE", -5, [("country_id", "=", self.country_be.id)])
        leads = self.Lead.create(
            [
                {"name": "Campaign", "campaign_id": self.campaign.id},
                {"name": "Belgium", "country_id": self.country_be.id},
                {"name": "Nothing"},
            ]
        )
        domain = [("id", "in", leads.ids)]
        groups = self.Lead._read_group(domain, ["score_bucket"], ["__count"])
        self.assertEqual(groups, [("below_0", 1), ("0", 1), ("25_49", 1)])
        groups = self.Lead._read_group(
            domain, ["score_bucket"], ["__count"], order="score_bucket desc"
        )
        self.assertEqual(groups, [("25_49", 1), ("0", 1), ("below_0", 1)])
        web_groups = self.Lead.web_read_group(
            domain, ["lead_score:avg"], ["score_bucket"], lazy=False
        )["groups"]
        self.assertEqual(
            [(g["score_bucket"], g["lead_score"]) for g in web_groups],
            [("below_0", -5), ("0", 0), ("25_49", 30)],
        )

    def test_score_range_in_the_analysis_search(self):
        arch = self.Lead.get_views(
            [(self.env.ref("crm.crm_opportunity_report_view_search").id, "search")]
        )["views"]["search"]["arch"]
        group_by = etree.fromstring(arch).xpath(
            "//filter[@name='group_by_score_bucket']/@context"
        )
        self.assertEqual(group_by, ["{'group_by': 'score_bucket'}"])
        self.assertEqual(
            self.Lead.fields_get(["score_bucket"], ["string"])["score_bucket"][
                "string"
            ],
            "Score Range",
        )
