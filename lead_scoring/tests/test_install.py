from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_team_min_score(self):
        team = self.env["crm.team"].create({"name": "Scoring team"})
        self.assertEqual(team.min_score, 0)
        team.min_score = 40
        self.assertEqual(team.min_score, 40)
