from contextlib import contextmanager

from odoo import Command
from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged, users

from .common import LeadScoringCommon


@tagged("post_install", "-at_install")
class TestBadInput(LeadScoringCommon):
    """Bad input as an RPC client sends it (create, write, load with plain
    values, as a user of the role doing it): a clear error naming the problem
    and nothing changed."""

    @contextmanager
    def assertRefused(self, exception, pattern):
        """assertRaises, which rolls back what the call did as the RPC call's
        transaction would be, and the message matching ``pattern``."""
        with self.assertRaises(exception) as error:
            yield error
        self.assertRegex(str(error.exception), pattern)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule_be = cls._create_rule(
            "Belgium", 8, [("country_id", "=", cls.country_be.id)]
        )
        cls.rule_vip = cls._create_rule("VIP", 30, [("tag_ids", "in", cls.tag_vip.ids)])
        cls.lead = cls._create_lead(
            "Scored", country_id=cls.country_be.id, tag_ids=[(6, 0, cls.tag_vip.ids)]
        )
        cls.user_settings = mail_new_test_user(
            cls.env,
            login="scoring_settings",
            name="Scoring Settings",
            groups="base.group_system,sales_team.group_sale_manager",
        )

    def _lead_state(self, lead):
        lead.invalidate_recordset()
        return (
            lead.lead_score,
            lead.score_rule_ids,
            lead.score_date,
            [(h.old_score, h.new_score) for h in lead.score_history_ids],
        )

    def _rule_state(self):
        Rule = self.env["crm.lead.scoring.rule"].with_context(active_test=False)
        return sorted(Rule.search([]).mapped(lambda r: (r.id, r.points, r.domain)))

    # ------------------------------------------------------------
    # Rules
    # ------------------------------------------------------------

    @users("scoring_manager")
    def test_invalid_rule_domains(self):
        """Syntax error, unknown field, bad operator, not a list, a field a
        Sales Administrator may not read: refused on create and on write,
        naming the problem; no rule created or changed."""
        cases = [
            ("syntax", "[('name', '=', 'x'", "syntax error"),
            ("unknown field", "[('no_such_field', '=', 1)]", "no_such_field"),
            ("unknown field in path", "[('country_id.nope', '=', 1)]", "nope"),
            ("bad operator", "[('name', 'equals', 'x')]", "equals"),
            ("not a list", "'name = x'", "list of conditions"),
            ("not a list", "{'name': 'x'}", "list of conditions"),
            (
                "unreadable field",
                "[('partner_id.signup_type', '=', 'signup')]",
                "signup_type",
            ),
        ]
        rule = self.rule_be.with_env(self.env)
        before = self._rule_state()
        for label, domain, expected in cases:
            with self.subTest(label, domain=domain):
                with self.assertRaises(ValidationError) as error:
                    self.env["crm.lead.scoring.rule"].create(
                        {"name": "Bad", "points": 1, "domain": domain}
                    )
                self.assertIn(expected, str(error.exception))
                self.assertIn("domain of the scoring rule", str(error.exception))
                with self.assertRaises(ValidationError) as error:
                    rule.write({"domain": domain})
                self.assertIn(expected, str(error.exception))
                self.assertEqual(self._rule_state(), before)
        self.assertEqual(self._lead_state(self.lead)[0], 38)

    @users("scoring_manager")
    def test_domain_reading_the_user_refused(self):
        """A domain reading who runs the scoring (uid, user) is refused at
        save: two salespeople triggering a rescoring would give two scores."""
        rule = self.rule_be.with_env(self.env)
        before = self._rule_state()
        for domain, names in (
            ("[('user_id', '=', uid)]", "(uid)"),
            ("[('user_id', '=', user.id)]", "(user)"),
            ("[('company_id', 'in', company_ids)]", "(company_ids)"),
        ):
            with self.subTest(domain=domain):
                with self.assertRaises(ValidationError) as error:
                    self.env["crm.lead.scoring.rule"].create(
                        {"name": "Mine", "points": 5, "domain": domain}
                    )
                message = str(error.exception)
                self.assertIn(
                    f"it reads the user who runs the scoring {names}", message
                )
                self.assertIn("must not depend on who triggers it", message)
                with self.assertRaises(ValidationError):
                    rule.write({"domain": domain})
                self.assertEqual(self._rule_state(), before)

    def test_saved_domain_reading_the_user_marked_broken(self):
        """A rule saved by an earlier version with a domain reading uid: the
        next scoring (the upgrade runs one) marks it broken with the reason,
        skips it and rescores its leads without it, whoever triggers it."""
        rule = self._create_rule("Own leads", 7, [("id", "!=", 0)])
        self.assertEqual(self._lead_state(self.lead)[0], 45)
        self._set_rule_domain_in_sql(rule, "[('user_id', '=', uid)]")
        self.env["crm.lead.scoring.rule"]._load_scoring_rules()
        rule.invalidate_recordset()
        message = rule.error_message
        self.assertIn("it reads the user who runs the scoring (uid)", message)
        self.assertIn("its domain cannot be applied", message)
        for user in (self.user_sales_salesman, self.user_sales_manager):
            self.Lead.with_user(user).sudo()._scoring_rescore(
                scope_domain=[("id", "=", self.lead.id)]
            )
            self.assertEqual(self._lead_state(self.lead)[0], 38)

    def test_rule_domain_fields_sales_administrators_may_read(self):
        """A rule reads only fields a Sales Administrator may read, even when
        its author (a settings administrator) may read more: scores would
        tell salespersons the values."""
        Rule = self.env["crm.lead.scoring.rule"].with_user(self.user_settings)
        self.assertTrue(
            self.env["res.partner"]
            .with_user(self.user_settings)
            ._fields["signup_type"]
            .is_accessible(Rule.env)
        )
        before = self._rule_state()
        with self.assertRefused(
            ValidationError,
            r"Signup Token Type \(signup_type\) of Contact may not be read by "
            "Sales Administrators",
        ):
            Rule.create(
                {
                    "name": "Signed up",
                    "points": 5,
                    "domain": "[('partner_id.signup_type', '!=', False)]",
                }
            )
        with self.assertRefused(ValidationError, "signup_type"):
            Rule.create(
                {
                    "name": "Signed up (any)",
                    "points": 5,
                    "domain": "[('partner_id', 'any', [('signup_type', '!=', False)])]",
                }
            )
        self.assertEqual(self._rule_state(), before)
        # a field restricted to Sales Administrators is fine
        rule = Rule.create(
            {
                "name": "Demanding team",
                "points": 2,
                "domain": "[('team_id.min_score', '>', 0)]",
            }
        )
        self.assertFalse(rule.error_message)

    @users("scoring_manager")
    def test_points_out_of_range(self):
        rule = self.rule_be.with_env(self.env)
        before = self._rule_state()
        for points in (1001, -1001, 10**6):
            with self.subTest(points=points):
                with self.assertRefused(
                    ValidationError, r"between -1000 and 1000 \(got %s\)" % points
                ):
                    self.env["crm.lead.scoring.rule"].create(
                        {"name": "Too much", "points": points, "domain": "[]"}
                    )
                with self.assertRefused(ValidationError, "Belgium"):
                    rule.write({"points": points})
                self.assertEqual(self._rule_state(), before)
        self.assertEqual(self._lead_state(self.lead)[0], 38)

    # ------------------------------------------------------------
    # Computed score data
    # ------------------------------------------------------------

    def test_score_cannot_be_written(self):
        """Writing the score, the matched rules, the score date or the history
        over RPC is refused, as a salesperson and as the administrator; the
        stored score stays the sum of the matched rules."""
        admin = self.env.ref("base.user_admin")
        cases = [
            ({"lead_score": 999}, "lead_score"),
            ({"lead_score": 0}, "lead_score"),
            ({"score_rule_data": [self.rule_be.id]}, "score_rule_data"),
            ({"score_rule_ids": [Command.set(self.rule_be.ids)]}, "score_rule_ids"),
            ({"score_date": "2020-01-01 00:00:00"}, "score_date"),
            (
                {"score_history_ids": [Command.create({"new_score": 5})]},
                "score_history_ids",
            ),
            ({"score_history_ids": [Command.clear()]}, "score_history_ids"),
            ({"name": "renamed", "lead_score": 999}, "lead_score"),
            ({"lead_priority": "A1"}, "lead_priority"),
            ({"lead_fit_grade": "A"}, "lead_fit_grade"),
            ({"lead_engagement_level": "1"}, "lead_engagement_level"),
        ]
        before = self._lead_state(self.lead)
        self.assertEqual(before[0], 38)
        for user in (self.user_sales_salesman, admin):
            lead = self.lead.with_user(user)
            for vals, field in cases:
                with self.subTest(user=user.login, vals=vals):
                    with self.assertRaises(UserError) as error:
                        lead.write(vals)
                    self.assertIn(field, str(error.exception))
                    self.assertIn(
                        "computed from the scoring rules", str(error.exception)
                    )
                    self.assertEqual(self._lead_state(self.lead), before)
                    self.assertEqual(self.lead.name, "Scored")
        self.assertEqual(
            self.lead.lead_score, sum(self.lead.score_rule_ids.mapped("points"))
        )

    @users("scoring_salesman")
    def test_score_cannot_be_set_at_creation(self):
        Lead = self.env["crm.lead"]
        count = Lead.search_count([])
        with self.assertRefused(UserError, "lead_score"):
            Lead.create({"name": "Preset", "lead_score": 500})
        self.assertEqual(Lead.search_count([]), count)
        # the value the lead would have anyway (a blank column) is ignored
        lead = Lead.create(
            {"name": "Blank", "country_id": self.country_be.id, "lead_score": 0}
        )
        self.assertEqual(lead.lead_score, 8)
        self.assertEqual(
            [(h.old_score, h.new_score) for h in lead.score_history_ids], [(0, 8)]
        )

    @users("scoring_salesman")
    def test_score_unchanged_value_ignored(self):
        """A file exported and imported back carries the stored score: an
        equal value is ignored, the rest of the write applies."""
        lead = self.lead.with_env(self.env)
        before = self._lead_state(lead)
        lead.write({"lead_score": 38, "description": "imported back"})
        self.assertEqual(lead.description, "<p>imported back</p>")
        self.assertEqual(self._lead_state(lead), before)

    @users("scoring_salesman")
    def test_score_import_refused(self):
        Lead = self.env["crm.lead"]
        count = Lead.search_count([])
        result = Lead.load(
            ["name", "lead_score"], [["Imported 1", "0"], ["Imported 2", "70"]]
        )
        self.assertFalse(result["ids"])
        # the row with a score of its own, not the blank one
        [message] = [m for m in result["messages"] if m["record"] == 1]
        self.assertEqual(message["type"], "error")
        self.assertIn("Score (lead_score) cannot be set", message["message"])
        self.assertEqual(Lead.search_count([]), count)

    def test_history_cannot_be_written(self):
        history = self.lead.score_history_ids
        self.assertEqual(len(history), 1)
        for user in (self.user_sales_salesman, self.user_sales_manager):
            History = self.env["crm.lead.score.history"].with_user(user)
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    History.create({"lead_id": self.lead.id, "new_score": 999})
                with self.assertRaises(AccessError):
                    history.with_user(user).write({"new_score": 999})
        self.assertEqual((history.old_score, history.new_score), (0, 38))

    # ------------------------------------------------------------
    # One scoring event, one history row
    # ------------------------------------------------------------

    def test_creation_logs_one_history_row(self):
        lead = self._create_lead(
            "Many rules",
            country_id=self.country_be.id,
            tag_ids=[(6, 0, self.tag_vip.ids)],
        )
        self.assertEqual(
            [(h.old_score, h.new_score) for h in lead.score_history_ids], [(0, 38)]
        )
        leads = self.Lead.create(
            [{"name": f"Batch {i}", "country_id": self.country_be.id} for i in range(3)]
        )
        self.assertEqual(len(leads.score_history_ids), 3)

    def test_write_logs_one_history_row(self):
        lead = self._create_lead("Plain")
        self.assertFalse(lead.score_history_ids)
        lead.write(
            {"country_id": self.country_be.id, "tag_ids": [(6, 0, self.tag_vip.ids)]}
        )
        self.assertEqual(
            [(h.old_score, h.new_score) for h in lead.score_history_ids], [(0, 38)]
        )

    def test_conversion_logs_one_history_row(self):
        """crm converts (a write), then assigns the salesperson (another
        write): one conversion, one scoring."""
        rule_opportunity = self._create_rule(
            "Opportunity", 10, [("type", "=", "opportunity")]
        )
        rule_user = self._create_rule(
            "Salesman 2", 5, [("user_id", "=", self.user_sales_salesman_2.id)]
        )
        lead = self._create_lead("To convert", user_id=False)
        self.assertEqual(lead.lead_score, 0)
        # a Sales Administrator: with lead_conversion installed, an automated
        # flow (the superuser) keeps an unqualified lead a lead
        lead.with_user(self.user_sales_manager).convert_opportunity(
            self.env["res.partner"], user_ids=self.user_sales_salesman_2.ids
        )
        self.assertEqual(lead.score_rule_ids, rule_opportunity | rule_user)
        self.assertEqual(
            [(h.old_score, h.new_score) for h in lead.score_history_ids], [(0, 15)]
        )
