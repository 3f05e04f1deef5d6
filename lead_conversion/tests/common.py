from odoo.addons.lead_management.tests.common import LeadManagementCommon
from odoo.addons.mail.tests.common import mail_new_test_user

QUALIFIED = {
    "bant_budget": "yes",
    "bant_authority": "decision_maker",
    "bant_need": "identified",
}


class LeadConversionCommon(LeadManagementCommon):
    """lead_management's users, teams and territories, the qualification gate
    on, a second company and a first stage for the northern team; qualified
    leads with a company, a contact, an email, a phone and a tax ID come from
    ``_lead``, crm's wizard (single or mass, as the web client opens it) from
    ``_wizard``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the chatter logs are part of what a conversion does
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.company.conversion_requires_qualification = True
        cls.company_2 = cls.env["res.company"].create(
            {"name": "Chi nhánh Đà Nẵng", "country_id": cls.vn.id}
        )
        cls.stage_north = cls.env["crm.stage"].create(
            {"name": "Mới (Miền Bắc)", "sequence": -100, "team_id": cls.team_north.id}
        )
        cls.user_employee = mail_new_test_user(
            cls.env,
            login="lc_employee",
            name="Hoàng Nhân Viên",
            groups="base.group_user",
        )

    @classmethod
    def _lead(cls, **values):
        return cls.env["crm.lead"].create(
            {
                "name": "Cơ hội phần mềm",
                "type": "lead",
                "partner_name": "Công ty TNHH Ánh Dương",
                "contact_name": "Nguyễn Văn An",
                "email_from": "an.nguyen@anhduong.vn",
                "phone": "0912 345 678",
                "street": "12 Lý Thường Kiệt",
                "city": "Hà Nội",
                "country_id": cls.vn.id,
                "website": "https://anhduong.vn",
                "vat": "0101234567",
                "user_id": cls.user_salesman.id,
                "team_id": cls.team_north.id,
                **QUALIFIED,
                **values,
            }
        )

    def _wizard(self, leads, **values):
        """crm's conversion wizard as its form button (one lead) or the leads
        list's action (several, ``mass=True``) opens it, in the leads'
        environment."""
        mass = values.pop("mass", len(leads) > 1)
        model = "crm.lead2opportunity.partner" + (".mass" if mass else "")
        return (
            leads.env[model]
            .with_context(
                active_model="crm.lead", active_id=leads.ids[0], active_ids=leads.ids
            )
            .create(values)
        )
