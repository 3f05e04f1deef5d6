from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import OK, AccessMatrixMixin, LeadManagementCommon

NO = AccessError  # refused by the access rights or the record rules
UE = UserError  # refused with a message

# One row per model operation or action, one column per role (ROLES of
# common.py): OK or the error the role gets; an allowed cell also checks what
# the role gets (only the leads it may see). The users belong to the main
# company; a lead and a territory of a second company are never seen nor
# changed. Settings (res.config.settings) belong to Settings administrators.
# fmt: off
MATRIX = [
    # row                                      emp sales leader all manager portal
    # crm.lead, our fields
    ("lead_read_ours",                         NO, OK, OK, OK, OK, NO),
    ("lead_create_with_ours",                  NO, OK, OK, OK, OK, NO),
    ("lead_write_ours",                        NO, OK, OK, OK, OK, NO),
    ("lead_write_ours_of_team_lead",           NO, NO, OK, OK, OK, NO),
    ("lead_write_ours_of_other_team_lead",     NO, NO, NO, OK, OK, NO),
    ("lead_unlink",                            NO, NO, NO, NO, OK, NO),
    ("lead_of_other_company",                  NO, NO, NO, NO, NO, NO),
    ("lead_write_ours_of_other_company",       NO, NO, NO, NO, NO, NO),
    # crm.lead.status (shared by the companies, as crm's stages)
    ("status_read",                            NO, OK, OK, OK, OK, NO),
    ("status_create",                          NO, NO, NO, NO, OK, NO),
    ("status_write",                           NO, NO, NO, NO, OK, NO),
    ("status_unlink",                          NO, NO, NO, NO, OK, NO),
    # crm.territory
    ("territory_read",                         NO, OK, OK, OK, OK, NO),
    ("territory_create",                       NO, NO, NO, NO, OK, NO),
    ("territory_write",                        NO, NO, NO, NO, OK, NO),
    ("territory_unlink",                       NO, NO, NO, NO, OK, NO),
    ("territory_of_other_company",             NO, NO, NO, NO, NO, NO),
    ("territory_write_of_other_company",       NO, NO, NO, NO, NO, NO),
    ("territory_unlink_of_other_company",      NO, NO, NO, NO, NO, NO),
    # res.company / res.config.settings: BANT qualification threshold
    ("company_read_threshold",                 OK, OK, OK, OK, OK, OK),
    ("company_write_threshold",                NO, NO, NO, NO, NO, NO),
    ("other_company_read_threshold",           NO, NO, NO, NO, NO, NO),
    ("settings_write_threshold",               NO, NO, NO, NO, NO, NO),
    # actions and counts
    ("status_leads_count_and_action",          NO, OK, OK, OK, OK, NO),
    ("territory_leads_count_and_action",       NO, OK, OK, OK, OK, NO),
    ("lead_history",                           NO, OK, OK, OK, OK, NO),
    ("lead_history_of_hidden_lead",            NO, NO, NO, OK, OK, NO),
    ("lead_analysis",                          NO, OK, OK, OK, OK, NO),
]
# fmt: on


@tagged("post_install", "-at_install")
class TestLeadManagementAccessMatrix(AccessMatrixMixin, LeadManagementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.access_users = {
            "employee": mail_new_test_user(
                cls.env, login="lm_employee", groups="base.group_user"
            ),
            "salesman": cls.user_salesman,
            "team_leader": cls.user_team_leader,
            "all_documents": cls.user_all_leads,
            "manager": cls.user_manager,
            "portal": mail_new_test_user(
                cls.env, login="lm_portal", groups="base.group_portal"
            ),
        }
        Lead = cls.env["crm.lead"]
        cls.lead_own = Lead.create(
            {"name": "Matrix own", "user_id": cls.user_salesman.id, "team_id": False}
        )
        cls.lead_unassigned = Lead.create(
            {
                "name": "Matrix unassigned",
                "user_id": False,
                "team_id": False,
                "zip": "99990",
                "bant_budget": "yes",
            }
        )
        cls.lead_team_north = Lead.create(
            {
                "name": "Matrix north",
                "user_id": cls.user_salesman_other.id,
                "team_id": cls.team_north.id,
            }
        )
        cls.lead_team_south = Lead.create(
            {
                "name": "Matrix south",
                "user_id": cls.user_salesman_other.id,
                "team_id": cls.team_south.id,
                "zip": "99991",
            }
        )
        # a status and territories of their own: the demo leads have others
        cls.status_matrix = cls.env["crm.lead.status"].create({"name": "Matrix"})
        cls.territory_matrix = cls.env["crm.territory"].create(
            {"name": "Matrix territory", "zip_prefixes": "9999"}
        )
        cls.company_2 = cls.env["res.company"].create({"name": "Công ty Thứ Hai"})
        cls.territory_c2 = cls.env["crm.territory"].create(
            {
                "name": "Territory of company 2",
                "zip_prefixes": "9999",
                "company_id": cls.company_2.id,
            }
        )
        cls.lead_c2 = Lead.create(
            {
                "name": "Matrix company 2",
                "company_id": cls.company_2.id,
                "user_id": False,
                "team_id": False,
                "zip": "99992",
            }
        )
        cls.leads = (
            cls.lead_own
            | cls.lead_unassigned
            | cls.lead_team_north
            | cls.lead_team_south
            | cls.lead_c2
        )
        all_main = cls.leads - cls.lead_c2
        cls.visible = {
            "employee": Lead,
            "salesman": cls.lead_own | cls.lead_unassigned,
            "team_leader": cls.lead_unassigned | cls.lead_team_north,
            "all_documents": all_main,
            "manager": all_main,
            "portal": Lead,
        }
        cls.leads.lead_status_id = cls.status_matrix
        for lead in cls.leads:
            lead.message_post(body="Matrix note")

    def test_fixture(self):
        self.assertEqual(self.lead_unassigned.territory_id, self.territory_matrix)
        self.assertEqual(self.lead_c2.territory_id, self.territory_c2)
        self.assertEqual(self.lead_team_north.team_leader_id, self.user_team_leader)

    def test_access_matrix(self):
        self._check_matrix(MATRIX)

    def test_settings_administrator(self):
        """The threshold is a company setting: Settings administrators
        change it, for their company."""
        admin = mail_new_test_user(
            self.env,
            login="lm_settings",
            groups="base.group_system,sales_team.group_sale_manager",
        )
        settings = self.env["res.config.settings"].with_user(admin).create({})
        settings.bant_qualification_threshold = 2
        settings.execute()
        self.assertEqual(self.company.bant_qualification_threshold, 2)
        self.assertEqual(self.company_2.bant_qualification_threshold, 3)

    # crm.lead, our fields

    def _cell_lead_read_ours(self, env, role):
        values = self.lead_unassigned.with_env(env).read(
            [
                "lead_status_id",
                "territory_id",
                "regional_manager_id",
                "team_leader_id",
                "is_returning",
                "bant_budget",
                "bant_score",
                "is_qualified",
            ]
        )[0]
        self.assertEqual(values["territory_id"][0], self.territory_matrix.id)
        self.assertEqual(values["bant_score"], 1)

    def _cell_lead_create_with_ours(self, env, role):
        lead = env["crm.lead"].create(
            {
                "name": "Matrix created",
                "lead_status_id": self.status_interested.id,
                "territory_id": self.territory_sg.id,
                "bant_budget": "yes",
                "bant_authority": "decision_maker",
                "bant_need": "identified",
            }
        )
        self.assertTrue(lead.is_qualified)
        self.assertEqual(lead.territory_id, self.territory_sg)

    def _write_ours(self, lead):
        lead.write(
            {
                "lead_status_id": self.status_potential.id,
                "territory_id": self.territory_sg.id,
                "bant_need": "identified",
            }
        )
        self.assertEqual(lead.lead_status_id, self.status_potential)
        self.assertTrue(lead.territory_is_manual)

    def _cell_lead_write_ours(self, env, role):
        self._write_ours(self.lead_unassigned.with_env(env))

    def _cell_lead_write_ours_of_team_lead(self, env, role):
        self._write_ours(self.lead_team_north.with_env(env))

    def _cell_lead_write_ours_of_other_team_lead(self, env, role):
        self._write_ours(self.lead_team_south.with_env(env))

    def _cell_lead_unlink(self, env, role):
        self.lead_own.with_env(env).unlink()
        self.assertFalse(self.lead_own.exists())

    def _cell_lead_of_other_company(self, env, role):
        self.lead_c2.with_env(env).read(["lead_status_id", "territory_id"])

    def _cell_lead_write_ours_of_other_company(self, env, role):
        self._write_ours(self.lead_c2.with_env(env))

    # crm.lead.status

    def _cell_status_read(self, env, role):
        statuses = env["crm.lead.status"].search([])
        self.assertIn(self.status_interested, statuses)

    def _cell_status_create(self, env, role):
        env["crm.lead.status"].create({"name": "Đang đàm phán"})

    def _cell_status_write(self, env, role):
        self.status_potential.with_env(env).write({"name": "Tiềm năng"})

    def _cell_status_unlink(self, env, role):
        self.status_matrix.with_env(env).unlink()
        # every lead of the status moves to the fallback, the second
        # company's too: statuses are shared
        self.assertEqual(self.leads.lead_status_id, self.status_unknown)

    # crm.territory

    def _cell_territory_read(self, env, role):
        territories = env["crm.territory"].search([])
        self.assertIn(self.territory_hn, territories)
        self.assertNotIn(self.territory_c2, territories)

    def _cell_territory_create(self, env, role):
        territory = env["crm.territory"].create(
            {"name": "Matrix 2", "zip_prefixes": "99990"}
        )
        self.assertEqual(territory.company_id, self.company)
        self.assertEqual(self.lead_unassigned.territory_id, territory)
        self.assertEqual(self.lead_c2.territory_id, self.territory_c2)

    def _cell_territory_write(self, env, role):
        self.territory_matrix.with_env(env).write({"zip_prefixes": "99991"})
        self.assertFalse(self.lead_unassigned.territory_id)
        self.assertEqual(self.lead_c2.territory_id, self.territory_c2)

    def _cell_territory_unlink(self, env, role):
        self.territory_matrix.with_env(env).unlink()
        self.assertFalse(self.lead_unassigned.territory_id)
        self.assertEqual(self.lead_c2.territory_id, self.territory_c2)

    def _cell_territory_of_other_company(self, env, role):
        self.territory_c2.with_env(env).read(["name"])

    def _cell_territory_write_of_other_company(self, env, role):
        self.territory_c2.with_env(env).write({"zip_prefixes": "99992"})

    def _cell_territory_unlink_of_other_company(self, env, role):
        self.territory_c2.with_env(env).unlink()

    # res.company / res.config.settings

    def _cell_company_read_threshold(self, env, role):
        company = self.company.with_env(env)
        self.assertEqual(
            company.read(["bant_qualification_threshold"])[0][
                "bant_qualification_threshold"
            ],
            3,
        )

    def _cell_company_write_threshold(self, env, role):
        self.company.with_env(env).write({"bant_qualification_threshold": 2})

    def _cell_other_company_read_threshold(self, env, role):
        self.company_2.with_env(env).read(["bant_qualification_threshold"])

    def _cell_settings_write_threshold(self, env, role):
        env["res.config.settings"].create({"bant_qualification_threshold": 2})

    # actions and counts

    def _cell_status_leads_count_and_action(self, env, role):
        status = self.status_matrix.with_env(env)
        count = status.read(["lead_count"])[0]["lead_count"]
        action = status.action_open_leads()
        leads = env["crm.lead"].search(action["domain"])
        self.assertEqual(leads.with_env(self.env), self.visible[role])
        self.assertEqual(count, len(self.visible[role]))

    def _cell_territory_leads_count_and_action(self, env, role):
        territory = self.territory_matrix.with_env(env)
        count = territory.read(["lead_count"])[0]["lead_count"]
        action = territory.action_open_leads()
        leads = env["crm.lead"].search(action["domain"])
        expected = self.visible[role] & (self.lead_unassigned | self.lead_team_south)
        self.assertEqual(leads.with_env(self.env), expected)
        self.assertEqual(count, len(expected))

    def _history(self, env, lead):
        action = lead.with_env(env).action_view_history()
        messages = env["mail.message"].search(action["domain"])
        self.assertIn("Matrix note", messages.mapped("body")[0])

    def _cell_lead_history(self, env, role):
        self._history(env, self.lead_unassigned)

    def _cell_lead_history_of_hidden_lead(self, env, role):
        self._history(env, self.lead_team_south)

    def _cell_lead_analysis(self, env, role):
        groups = env["crm.lead"].read_group(
            [("id", "in", self.leads.ids)], ["bant_score:sum"], ["lead_status_id"]
        )
        self.assertEqual(
            sum(group["lead_status_id_count"] for group in groups),
            len(self.visible[role]),
        )
