from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from .common import QUALIFIED

COMPANY_NAME = "Công ty Đua Tranh (race test)"


@tagged("post_install", "-at_install")
class TestConversionRace(TransactionCase):
    """Two users converting the same lead at the same moment, each in its own
    transaction (committed fixture, cleaned up afterwards)."""

    def setUp(self):
        super().setUp()
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            lead = env["crm.lead"].create(
                {
                    "name": "Lead tranh chấp",
                    "type": "lead",
                    "partner_name": COMPANY_NAME,
                    "contact_name": "Người Tranh Chấp",
                    "email_from": "tranhchap@race.example.com",
                    **QUALIFIED,
                }
            )
            cr.commit()  # pylint: disable=invalid-commit
        self.lead_id = lead.id
        admin = self.env.ref("base.user_admin").id
        self.envs = [
            api.Environment(self.env.registry.cursor(), admin, {}) for __ in range(2)
        ]
        self.addCleanup(self._clean_up)

    def _clean_up(self):
        for env in self.envs:
            env.cr.rollback()
            env.cr.close()
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            lead = env["crm.lead"].browse(self.lead_id)
            partners = env["res.partner"].search(
                [
                    "|",
                    ("name", "=", COMPANY_NAME),
                    ("parent_id.name", "=", COMPANY_NAME),
                ]
            )
            lead.unlink()  # and the wizards opened on it
            partners.unlink()
            cr.commit()  # pylint: disable=invalid-commit

    def _wizard(self, env):
        """crm's wizard, as the lead's form button opens it."""
        return (
            env["crm.lead2opportunity.partner"]
            .with_context(
                active_model="crm.lead",
                active_id=self.lead_id,
                active_ids=[self.lead_id],
            )
            .create({})
        )

    def _check_one_customer_one_opportunity(self):
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            lead = env["crm.lead"].browse(self.lead_id)
            self.assertEqual(lead.type, "opportunity")
            companies = env["res.partner"].search([("name", "=", COMPANY_NAME)])
            self.assertEqual(len(companies), 1)
            self.assertEqual(
                env["res.partner"].search_count([("parent_id", "=", companies.id)]),
                1,
            )
            self.assertEqual(lead.partner_id.parent_id, companies)

    def test_simultaneous_conversions(self):
        """The second user is told the lead is being converted; nothing of
        theirs is created."""
        env1, env2 = self.envs
        wizard1 = self._wizard(env1)
        wizard2 = self._wizard(env2)
        wizard1.action_apply()  # holds the lock until its commit
        with self.assertRaisesRegex(UserError, "Another user is converting"):
            wizard2.action_apply()
        env2.cr.rollback()
        env1.cr.commit()
        self._check_one_customer_one_opportunity()

    def test_conversion_after_concurrent_commit(self):
        """A conversion started before another user's conversion was committed
        fails to serialize (Odoo retries such requests); the retry re-reads the
        lead once locked and tells the user it is already an opportunity,
        creating nothing."""
        env1, env2 = self.envs
        wizard2 = self._wizard(env2)
        self.assertEqual(wizard2.action, "create")
        env2.cr.commit()  # the web client saves the wizard
        env2.cr.execute("SELECT 1")  # user 2 clicks Convert: transaction starts
        self._wizard(env1).action_apply()
        env1.cr.commit()
        with self.assertRaises(SerializationFailure):
            wizard2.action_apply()
        env2.cr.rollback()
        with self.assertRaisesRegex(UserError, "is already an opportunity"):
            wizard2.action_apply()
        env2.cr.rollback()
        self._check_one_customer_one_opportunity()
