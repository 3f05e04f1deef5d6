from odoo.addons.lead_management.tests.common import OK, AccessMatrixMixin
from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import LeadConversionCommon

NO = AccessError  # refused by the access rights or the record rules
UE = UserError  # refused with a message

# One row per model operation or action, one column per role (ROLES of
# lead_management's tests/common.py): OK or the error the role gets. The
# qualified lead of the salesperson belongs to the northern team (its leader
# sees it); the hidden lead to another salesperson of the southern team; the
# lead of the second company to nobody's company.
# fmt: off
MATRIX = [
    # row                                      emp sales leader all manager portal
    # crm.lead, our fields
    ("lead_read_ours",                         NO, OK, OK, OK, OK, NO),
    ("lead_write_vat",                         NO, OK, OK, OK, OK, NO),
    ("lead_write_vat_of_hidden_lead",          NO, NO, NO, OK, OK, NO),
    # crm.lead2opportunity.partner: open, convert
    ("wizard_open",                            NO, OK, OK, OK, OK, NO),
    ("wizard_open_on_hidden_lead",             NO, NO, NO, OK, OK, NO),
    ("convert",                                NO, OK, OK, OK, OK, NO),
    ("convert_hidden_lead",                    NO, NO, NO, OK, OK, NO),
    ("convert_lead_of_other_company",          NO, NO, NO, NO, NO, NO),
    ("convert_customers_only",                 NO, OK, OK, OK, OK, NO),
    ("override_qualification",                 NO, NO, NO, NO, OK, NO),
    ("convert_unqualified",                    NO, UE, UE, UE, UE, NO),
    # crm.lead2opportunity.partner.mass
    ("mass_convert",                           NO, OK, OK, OK, OK, NO),
    ("mass_convert_with_hidden_lead",          NO, NO, NO, OK, OK, NO),
    # res.company / res.config.settings: qualification gate
    ("company_read_gate",                      OK, OK, OK, OK, OK, OK),
    ("company_write_gate",                     NO, NO, NO, NO, NO, NO),
    ("settings_write_gate",                    NO, NO, NO, NO, NO, NO),
]
# fmt: on


@tagged("post_install", "-at_install")
class TestConversionAccessMatrix(AccessMatrixMixin, LeadConversionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.access_users = {
            "employee": cls.user_employee,
            "salesman": cls.user_salesman,
            "team_leader": cls.user_team_leader,
            "all_documents": cls.user_all_leads,
            "manager": cls.user_manager,
            "portal": mail_new_test_user(
                cls.env, login="lc_portal", groups="base.group_portal"
            ),
        }
        cls.lead = cls._lead()
        cls.lead_2 = cls._lead(
            name="Cơ hội thứ hai",
            email_from="binh@hoa-sen.vn",
            phone="0987 654 321",
            partner_name="Công ty Hoa Sen",
            vat="0309999999",
        )
        cls.lead_hidden = cls._lead(
            name="Lead của Khác",
            email_from="khac@bien-dong.vn",
            phone="0911 222 333",
            partner_name="Công ty Biển Đông",
            vat="0308888888",
            user_id=cls.user_salesman_other.id,
            team_id=cls.team_south.id,
        )
        cls.lead_c2 = cls._lead(
            name="Lead chi nhánh",
            email_from="cn@da-nang.vn",
            phone="0905 111 222",
            partner_name="Công ty Đà Nẵng",
            vat="0400000001",
            company_id=cls.company_2.id,
            user_id=False,
            team_id=False,
        )
        cls.lead_unqualified = cls._lead(
            name="Chưa đủ điều kiện",
            email_from="chua@du.vn",
            phone="0933 444 555",
            partner_name="Công ty Chưa Đủ",
            vat="0307777777",
            bant_budget="unknown",
            bant_need="unknown",
        )

    def test_access_matrix(self):
        self._check_matrix(MATRIX)

    def test_settings_administrator(self):
        admin = mail_new_test_user(
            self.env,
            login="lc_settings",
            groups="base.group_system,sales_team.group_sale_manager",
        )
        settings = self.env["res.config.settings"].with_user(admin).create({})
        settings.conversion_requires_qualification = False
        settings.execute()
        self.assertFalse(self.company.conversion_requires_qualification)
        self.assertTrue(self.company_2.conversion_requires_qualification)

    # crm.lead, our fields

    def _cell_lead_read_ours(self, env, role):
        values = self.lead.with_env(env).read(
            ["vat", "converted_by_id", "conversion_partner_ids"]
        )[0]
        self.assertEqual(values["vat"], "0101234567")

    def _cell_lead_write_vat(self, env, role):
        self.lead.with_env(env).vat = "0101234568"

    def _cell_lead_write_vat_of_hidden_lead(self, env, role):
        self.lead_hidden.with_env(env).vat = "0101234568"

    # conversion wizard

    def _cell_wizard_open(self, env, role):
        wizard = self._wizard(self.lead.with_env(env))
        self.assertEqual(wizard.action, "create")
        self.assertFalse(wizard.qualification_warning)

    def _cell_wizard_open_on_hidden_lead(self, env, role):
        self._wizard(self.lead_hidden.with_env(env)).read(["duplicate_partner_ids"])

    def _cell_convert(self, env, role):
        lead = self.lead.with_env(env)
        self._wizard(lead).action_apply()
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.converted_by_id, env.user)
        self.assertEqual(len(lead.conversion_partner_ids), 2)

    def _cell_convert_hidden_lead(self, env, role):
        lead = self.lead_hidden.with_env(env)
        self._wizard(lead).action_apply()
        self.assertEqual(lead.type, "opportunity")

    def _cell_convert_lead_of_other_company(self, env, role):
        self._wizard(self.lead_c2.with_env(env)).action_apply()

    def _cell_convert_customers_only(self, env, role):
        lead = self.lead.with_env(env)
        self._wizard(lead, create_opportunity=False).action_apply()
        self.assertEqual(lead.type, "lead")
        self.assertEqual(lead.lead_status_id, self.status_customer)

    def _cell_override_qualification(self, env, role):
        lead = self.lead_unqualified.with_env(env)
        self._wizard(lead, override_qualification=True).action_apply()
        self.assertEqual(lead.type, "opportunity")

    def _cell_convert_unqualified(self, env, role):
        self._wizard(self.lead_unqualified.with_env(env)).action_apply()

    def _cell_mass_convert(self, env, role):
        leads = (self.lead | self.lead_2).with_env(env)
        self._wizard(leads).action_mass_convert()
        self.assertEqual(set(leads.mapped("type")), {"opportunity"})

    def _cell_mass_convert_with_hidden_lead(self, env, role):
        leads = (self.lead | self.lead_hidden).with_env(env)
        self._wizard(leads).action_mass_convert()
        self.assertEqual(set(leads.mapped("type")), {"opportunity"})

    # res.company / res.config.settings

    def _cell_company_read_gate(self, env, role):
        values = self.company.with_env(env).read(["conversion_requires_qualification"])
        self.assertTrue(values[0]["conversion_requires_qualification"])

    def _cell_company_write_gate(self, env, role):
        self.company.with_env(env).conversion_requires_qualification = False

    def _cell_settings_write_gate(self, env, role):
        env["res.config.settings"].create({"conversion_requires_qualification": False})
