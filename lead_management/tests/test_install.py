from odoo.addons.lead_management.hooks import LEADS_FEATURE_PARAM
from odoo.tests import TransactionCase, tagged

from .common import LeadManagementCommon


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_leads_feature_on_for_internal_users(self):
        """Installing the addon turns on CRM's Leads feature for internal users."""
        group_use_lead = self.env.ref("crm.group_use_lead")
        self.assertIn(group_use_lead, self.env.ref("base.group_user").implied_ids)
        user = self.env["res.users"].create(
            {
                "name": "New Salesman",
                "login": "new_salesman_leads",
                "groups_id": [
                    (6, 0, [self.env.ref("sales_team.group_sale_salesman").id])
                ],
            }
        )
        self.assertTrue(user.has_group("crm.group_use_lead"))
        # what it was before, for the uninstall to restore it
        self.assertIn(
            self.env["ir.config_parameter"].sudo().get_param(LEADS_FEATURE_PARAM),
            ("on", "off"),
        )


@tagged("post_install", "-at_install")
class TestExistingLeads(LeadManagementCommon):
    """What the install gives the leads and contacts that existed before it,
    computed set-based without chatter message: the install hook's functions
    run on leads put back in their state before the install."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_new = cls.env.ref("crm.stage_lead1")
        cls.stage_qualified = cls.env.ref("crm.stage_lead2")
        cls.stage_proposition = cls.env.ref("crm.stage_lead3")
        cls.stage_won = cls.env.ref("crm.stage_lead4")
        cls.stage_custom = cls.env["crm.stage"].create(
            {"name": "Negotiation", "sequence": 4}
        )
        cls.known = cls.env["res.partner"].create(
            {
                "name": "Công ty Cũ",
                "email": "lien.he@congtycu.vn",
                "phone": "+84 912 345 678",
                "mobile": "0987 654 321",
                "country_id": cls.vn.id,
            }
        )
        cls.env.flush_all()
        cls.env.cr.execute(
            "UPDATE res_partner SET create_date = create_date - interval '10 days'"
            " WHERE id = %s",
            [cls.known.id],
        )
        cls.env.invalidate_all()
        cls.team_north.user_id = cls.user_team_leader
        Lead = cls.env["crm.lead"].with_context(tracking_disable=True)
        values = {"type": "opportunity", "team_id": cls.team_north.id}
        cls.leads = {
            name: Lead.create(dict(values, name=name, **vals))
            for name, vals in {
                "won": {"stage_id": cls.stage_won.id},
                "lost": {"stage_id": cls.stage_qualified.id},
                "archived": {"stage_id": cls.stage_qualified.id},
                "new": {"stage_id": cls.stage_new.id, "email_from": "new@x.vn"},
                "qualified": {"stage_id": cls.stage_qualified.id},
                "proposition": {"stage_id": cls.stage_proposition.id},
                "qualified by BANT": {
                    "stage_id": cls.stage_qualified.id,
                    "bant_budget": "yes",
                    "bant_authority": "decision_maker",
                    "bant_need": "identified",
                },
                "custom": {"stage_id": cls.stage_custom.id},
                "no team": {"stage_id": cls.stage_new.id, "team_id": False},
                "a lead": {"type": "lead"},
                "by email": {"email_from": "Lien.He@CongTyCu.vn"},
                "by phone": {"phone": "0912 345 678", "country_id": cls.vn.id},
                "by mobile": {"phone": "84-987-654-321", "country_id": cls.vn.id},
                "by partner": {"partner_id": cls.known.id},
            }.items()
        }
        cls.leads["lost"].action_set_lost()
        cls.leads["archived"].write({"active": False, "probability": 40})
        cls.all_leads = Lead.browse([lead.id for lead in cls.leads.values()])
        cls.env.flush_all()

    def _as_before_install(self, leads):
        """Leads as they were before the install: no status, team leader or
        returning flag."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET lead_status_id = NULL, team_leader_id = NULL,"
            " is_returning = NULL, new_or_returning = 'new', conversion_rate = 0"
            " WHERE id IN %s",
            [tuple(leads.ids)],
        )
        self.env.invalidate_all()

    def _messages(self):
        self.env.flush_all()
        self.env.cr.precommit.run()
        return self.env["mail.message"].search_count([])

    def test_status_of_existing_leads(self):
        crm_values = self.all_leads.read(["stage_id", "probability", "active"])
        self._as_before_install(self.all_leads)
        messages = self._messages()
        self.env["crm.lead"]._init_existing_leads()
        self.assertEqual(self._messages(), messages, "no chatter message")
        expected = {
            "won": "lead_status_customer",
            "lost": "lead_status_not_interested",
            # crm's Qualified and Proposition stages: the status Qualified
            # requires a BANT qualification, which crm does not know
            "archived": "lead_status_interested",
            "new": "lead_status_potential",
            "qualified": "lead_status_interested",
            "proposition": "lead_status_interested",
            "qualified by BANT": "lead_status_qualified",
            "a lead": "lead_status_potential",
            "custom": "lead_status_potential",
            "no team": "lead_status_potential",
        }
        for name, status in expected.items():
            self.assertEqual(
                self.leads[name].lead_status_id,
                self.env.ref(f"lead_management.{status}"),
                name,
            )
        self.assertEqual(
            self.all_leads.read(["stage_id", "probability", "active"]),
            crm_values,
            "crm's values untouched",
        )
        # converted: the opportunities
        self.assertEqual(self.leads["a lead"].conversion_rate, 0)
        for lead in self.all_leads - self.leads["a lead"]:
            self.assertEqual(lead.conversion_rate, 100, lead.name)
        self.assertEqual(self.leads["new"].team_leader_id, self.user_team_leader)
        self.assertFalse(self.leads["no team"].team_leader_id)

    def test_returning_of_existing_leads(self):
        """The install flags exactly the leads the ORM's compute flags."""
        leads = self.all_leads
        expected = {lead: lead.is_returning for lead in leads}
        self.assertEqual(
            {lead for lead, returning in expected.items() if returning},
            {self.leads[name] for name in ("by email", "by phone", "by mobile")}
            | {self.leads["by partner"]},
        )
        self._as_before_install(leads)
        self.env["crm.lead"]._init_existing_leads()
        for lead in leads:
            self.assertEqual(lead.is_returning, expected[lead], lead.name)

    def test_returning_phones_install_is_compute(self):
        """The install's SQL and the ORM's compute read the same numbers: the
        phone and the mobile of the lead, in the lead's country, else its
        company's, else the current company's."""
        other = self.env["res.partner"].create(
            {"name": "Công ty Khác", "mobile": "0903 111 222", "country_id": self.vn.id}
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET create_date = create_date - interval '10 days'"
            " WHERE id = %s",
            [other.id],
        )
        self.env.invalidate_all()
        Lead = self.env["crm.lead"].with_context(tracking_disable=True)
        vn = {"country_id": self.vn.id}
        cases = {
            # name: (values, returning)
            "phone only, known": ({"phone": "0912 345 678", **vn}, True),
            "phone only, unknown": ({"phone": "0912 000 999", **vn}, False),
            "mobile only, known": ({"mobile": "0987.654.321", **vn}, True),
            "mobile only, unknown": ({"mobile": "0987 000 999", **vn}, False),
            "both, mobile known": (
                {"phone": "0912 000 998", "mobile": "0987 654 321", **vn},
                True,
            ),
            "both, phone known": (
                {"phone": "0912 345 678", "mobile": "0987 000 998", **vn},
                True,
            ),
            "both, other contact's mobile": (
                {"phone": "0912 000 997", "mobile": "+84 903 111 222", **vn},
                True,
            ),
            "both known, different contacts": (
                {"phone": "0912 345 678", "mobile": "0903 111 222", **vn},
                True,
            ),
            "both unknown": (
                {"phone": "0912 000 996", "mobile": "0987 000 996", **vn},
                False,
            ),
            "neither": ({"email_from": "nobody@nowhere.vn", **vn}, False),
            # no country: the company's (Vietnam)
            "no country, mobile known": ({"mobile": "0903 111 222"}, True),
            "no country, both, phone known": (
                {"phone": "0912 345 678", "mobile": "0987 000 995"},
                True,
            ),
            # read in Belgium, the number is another one
            "Belgian number": (
                {"phone": "0912 345 678", "country_id": self.be.id},
                False,
            ),
        }
        leads = {
            name: Lead.create({"name": name, **values})
            for name, (values, __) in cases.items()
        }
        self.env.flush_all()
        for name, (__, returning) in cases.items():
            self.assertEqual(leads[name].is_returning, returning, f"compute: {name}")
        all_leads = Lead.browse([lead.id for lead in leads.values()])
        self._as_before_install(all_leads)
        self.env["crm.lead"]._init_existing_leads()
        for name, (__, returning) in cases.items():
            self.assertEqual(leads[name].is_returning, returning, f"install: {name}")
            self.assertEqual(
                leads[name].new_or_returning,
                "returning" if returning else "new",
                f"install: {name}",
            )

    def test_install_values_are_compute_values(self):
        """Every value the install writes in SQL (status aside, which has no
        compute) is what the ORM's compute gives the lead afterwards."""
        leads = self.all_leads
        self._as_before_install(leads)
        self.env["crm.lead"]._init_existing_leads()
        fnames = [
            "is_returning",
            "new_or_returning",
            "conversion_rate",
            "team_leader_id",
            "territory_id",
        ]
        installed = leads.read(fnames)
        for fname in fnames:
            self.env.add_to_compute(leads._fields[fname], leads)
        leads._recompute_recordset(fnames)
        self.assertEqual(leads.read(fnames), installed)
        self.assertEqual(
            sorted(row["conversion_rate"] for row in installed),
            [0.0] + [100.0] * (len(leads) - 1),
        )

    def test_one_statement_whatever_the_number_of_leads(self):
        Lead = self.env["crm.lead"]
        counts = []
        for leads in (self.all_leads[:2], self.all_leads):
            self._as_before_install(leads)
            Lead._init_existing_leads()  # warm-up of the records used
            self._as_before_install(leads)
            before = self.env.cr.sql_log_count
            Lead._init_existing_leads()
            counts.append(self.env.cr.sql_log_count - before)
            self.assertTrue(all(lead.lead_status_id for lead in leads))
        self.assertEqual(counts[0], counts[1])

    def test_phones_of_existing_contacts(self):
        Partner = self.env["res.partner"]
        partners = self.known | Partner.create(
            [
                {"name": "A", "phone": "0912 000 001", "country_id": self.vn.id},
                {"name": "B", "mobile": "+84 912 000 002"},
                {"name": "C", "phone": "84-912-000-003", "country_id": self.vn.id},
                {"name": "D", "phone": "not a phone"},
                {"name": "E"},
            ]
        )
        expected = partners.read(["phone_normalized", "mobile_normalized"])
        self.assertEqual(
            [row["phone_normalized"] or row["mobile_normalized"] for row in expected],
            ["+84912345678", "+84912000001", "+84912000002", "+84912000003"]
            + [False, False],
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET phone_normalized = NULL, mobile_normalized = NULL"
            " WHERE id IN %s",
            [tuple(partners.ids)],
        )
        self.env.invalidate_all()
        Partner._init_phone_normalized(batch_size=2)
        self.assertEqual(
            partners.read(["phone_normalized", "mobile_normalized"]), expected
        )
