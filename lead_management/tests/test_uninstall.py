"""Install, uninstall and reinstall the addons on a small database where crm
was used before: separate Odoo processes on a throw-away database."""

import os
import shutil
import subprocess
import sys
from contextlib import closing

import odoo
from odoo.tests import BaseCase, tagged
from odoo.tools import SQL, config

ADDONS = ("lead_management", "lead_scoring", "lead_conversion")
LEADS = 60
TIMEOUT = 600


def _odoo_command():
    """odoo-bin with the configuration of the tests."""
    odoo_bin = os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__))), "odoo-bin"
    )
    command = [sys.executable, odoo_bin]
    if config.rcfile and os.path.exists(config.rcfile):
        command += ["-c", config.rcfile]
    command += [
        f"--addons-path={config['addons_path']}",
        f"--data-dir={config['data_dir']}",
    ]
    for option in ("db_host", "db_port", "db_user", "db_password"):
        if config[option]:
            command.append(f"--{option}={config[option]}")
    return command


@tagged("post_install", "-at_install")
class TestInstallUninstall(BaseCase):
    """The addons on a database with crm's leads, partners, activities and
    messages: installing posts no message and gives every lead its values;
    uninstalling keeps all of crm's records, logs no error and gives crm back
    its Leads setting; installing again works."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.db = f"{config['db_name'] or 'lead_crm_test'}_uninstall"
        cls._drop()
        cls.addClassCleanup(cls._drop)
        cls._odoo("-i", "crm", "--without-demo=all")
        cls._populate()

    @classmethod
    def _drop(cls):
        odoo.sql_db.close_db(cls.db)
        with closing(odoo.sql_db.db_connect("postgres").cursor()) as cr:
            cr._cnx.autocommit = True
            cr.execute(
                SQL("DROP DATABASE IF EXISTS %s WITH (FORCE)", SQL.identifier(cls.db))
            )
        shutil.rmtree(config.filestore(cls.db), ignore_errors=True)

    @classmethod
    def _odoo(cls, *args, script=None):
        """Run Odoo on the throw-away database; fail on any error logged."""
        command = [*_odoo_command(), "-d", cls.db, "--no-http", "--log-level=warn"]
        if script is None:
            command += [*args, "--stop-after-init"]
        else:
            command[2:2] = ["shell"]
        result = subprocess.run(  # noqa: S603 - Odoo itself
            command,
            input=script,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        output = result.stdout + result.stderr
        errors = [
            line
            for line in output.splitlines()
            if " ERROR " in line or " CRITICAL " in line or "Traceback" in line
        ]
        if result.returncode or errors:
            raise AssertionError(
                f"{' '.join(args) or 'shell'} failed ({result.returncode}):\n"
                f"{output[-4000:]}"
            )
        return output

    @classmethod
    def _sql(cls, query, params=None):
        with closing(odoo.sql_db.db_connect(cls.db).cursor()) as cr:
            cr.execute(query, params)
            rows = cr.fetchall() if cr.description else None
            cr.commit()  # pylint: disable=invalid-commit
        return rows

    @classmethod
    def _ref(cls, xmlid):
        module, name = xmlid.split(".")
        return cls._sql(
            "SELECT res_id FROM ir_model_data WHERE module = %s AND name = %s",
            [module, name],
        )[0][0]

    @classmethod
    def _populate(cls):
        """Partners, leads in every stage (won, lost), activities, messages,
        inserted as crm left them."""
        stages = [cls._ref(f"crm.stage_lead{index}") for index in (1, 2, 3, 4)]
        vn = cls._ref("base.vn")
        admin = cls._ref("base.user_admin")
        team = cls._ref("sales_team.team_sales_department")
        cls._sql(
            """
            INSERT INTO res_partner (name, complete_name, type, active, email,
                   email_normalized, phone, country_id, create_date, write_date)
            SELECT 'Khách ' || j, 'Khách ' || j, 'contact', TRUE,
                   'khach' || j || '@congty.vn', 'khach' || j || '@congty.vn',
                   CASE WHEN j %% 2 = 0 THEN '0912 000 0' || lpad(j::text, 2, '0')
                        ELSE '+849120000' || lpad(j::text, 2, '0') END,
                   %(vn)s, now() - interval '1 year', now() - interval '1 year'
              FROM generate_series(10, 29) AS j
            """,
            {"vn": vn},
        )
        cls._sql(
            """
            INSERT INTO crm_lead (name, type, active, stage_id, probability,
                   email_from, email_normalized, phone, phone_sanitized, zip,
                   country_id, team_id, user_id, company_id, create_date,
                   write_date, partner_id)
            SELECT 'Lead ' || i,
                   CASE WHEN i %% 4 = 0 THEN 'lead' ELSE 'opportunity' END,
                   i %% 10 <> 7,
                   (%(stages)s::int[])[1 + i %% 4],
                   CASE WHEN i %% 10 = 7 THEN 0
                        ELSE (ARRAY[10, 30, 60, 100])[1 + i %% 4] END,
                   CASE WHEN i %% 3 = 0 THEN 'khach' || (10 + i %% 20) || '@congty.vn'
                        ELSE 'moi' || i || '@gmail.com' END,
                   CASE WHEN i %% 3 = 0 THEN 'khach' || (10 + i %% 20) || '@congty.vn'
                        ELSE 'moi' || i || '@gmail.com' END,
                   '0988 000 0' || lpad(i::text, 2, '0'),
                   '+849880000' || lpad(i::text, 2, '0'),
                   '700000', %(vn)s, %(team)s, %(admin)s, 1,
                   now() - interval '1 day', now() - interval '1 day',
                   CASE WHEN i %% 5 = 0 THEN (
                       SELECT id FROM res_partner WHERE name = 'Khách 10') END
              FROM generate_series(1, %(leads)s) AS i
            """,
            {"stages": stages, "vn": vn, "team": team, "admin": admin, "leads": LEADS},
        )
        cls._sql(
            """
            INSERT INTO mail_activity (res_model_id, res_model, res_id,
                   activity_type_id, date_deadline, user_id)
            SELECT (SELECT id FROM ir_model WHERE model = 'crm.lead'), 'crm.lead',
                   id, %(call)s, current_date, %(admin)s
              FROM crm_lead WHERE active AND id %% 3 = 0;
            INSERT INTO mail_message (model, res_id, message_type, body, date)
            SELECT 'crm.lead', id, 'comment', '<p>Đã gọi</p>', now()
              FROM crm_lead
            """,
            {"call": cls._ref("mail.mail_activity_data_call"), "admin": admin},
        )

    def _counts(self):
        return self._sql(
            """
            SELECT (SELECT count(*) FROM crm_lead), (SELECT count(*) FROM res_partner),
                   (SELECT count(*) FROM mail_activity),
                   (SELECT count(*) FROM mail_message),
                   (SELECT md5(string_agg(concat_ws(',', id, type, active,
                           stage_id, probability, user_id, team_id, partner_id),
                           ';' ORDER BY id)) FROM crm_lead)
            """
        )[0]

    def _leads_feature(self):
        return self._sql(
            "SELECT count(*) FROM res_groups_implied_rel WHERE gid = %s AND hid = %s",
            [self._ref("base.group_user"), self._ref("crm.group_use_lead")],
        )[0][0]

    def _installed(self):
        return {
            name
            for (name,) in self._sql(
                "SELECT name FROM ir_module_module"
                " WHERE state = 'installed' AND name IN %s",
                [ADDONS],
            )
        }

    def _check_installed(self, before):
        self.assertEqual(self._installed(), set(ADDONS))
        self.assertEqual(self._counts(), before, "crm's records untouched, no message")
        self.assertTrue(self._leads_feature())
        statuses = dict(
            self._sql(
                """
                SELECT lead.name, data.name FROM crm_lead lead
                  LEFT JOIN ir_model_data data ON data.model = 'crm.lead.status'
                       AND data.res_id = lead.lead_status_id
                """
            )
        )
        self.assertEqual(len(statuses), LEADS)
        for index in range(1, LEADS + 1):
            expected = (
                "lead_status_not_interested"
                if index % 10 == 7
                else {
                    0: "lead_status_potential",
                    # crm's Qualified and Proposition stages, BANT unknown
                    1: "lead_status_interested",
                    2: "lead_status_interested",
                    3: "lead_status_customer",
                }[index % 4]
            )
            self.assertEqual(statuses[f"Lead {index}"], expected, f"Lead {index}")
        rows = self._sql(
            """
            SELECT name, is_returning, bant_budget, bant_authority, bant_need,
                   bant_timeline, bant_score, is_qualified,
                   COALESCE((SELECT s.score FROM crm_lead_score s
                              WHERE s.lead_id = crm_lead.id), 0)
              FROM crm_lead
            """
        )
        for name, returning, *bant, score, qualified, lead_score in rows:
            index = int(name.split()[1])
            self.assertEqual(
                bool(returning), index % 3 == 0 or index % 5 == 0, f"{name} returning"
            )
            self.assertEqual(bant, ["unknown"] * 4)
            self.assertEqual(score, 0)
            self.assertFalse(qualified)
            self.assertEqual(lead_score, 0)
        self.assertEqual(
            self._sql(
                "SELECT count(*) FROM res_partner WHERE phone_normalized LIKE %s",
                ["+849120000%"],
            )[0][0],
            20,
        )

    def test_install_uninstall_reinstall(self):
        before = self._counts()
        self.assertFalse(self._leads_feature())
        self._odoo("-i", ",".join(ADDONS))
        self._check_installed(before)

        self._odoo(
            script="\n".join(
                f"env['ir.module.module'].search([('name', '=', '{name}')])"
                ".button_immediate_uninstall()"
                for name in reversed(ADDONS)
            )
        )
        self.assertFalse(self._installed())
        self.assertEqual(self._counts(), before, "every record of crm kept")
        self.assertFalse(self._leads_feature(), "crm's Leads setting back off")
        self.assertFalse(
            self._sql(
                "SELECT count(*) FROM ir_config_parameter WHERE key LIKE %s",
                ["lead_management.%"],
            )[0][0]
        )
        views = self._sql(
            """
            SELECT action_data.name, view_data.name
              FROM ir_act_window_view action_view
              JOIN ir_model_data action_data
                   ON action_data.model = 'ir.actions.act_window.view'
                  AND action_data.res_id = action_view.id
              JOIN ir_model_data view_data ON view_data.model = 'ir.ui.view'
                   AND view_data.res_id = action_view.view_id
             WHERE action_data.name IN ('crm_lead_all_leads_view_pivot',
                                        'crm_lead_all_leads_view_graph')
            """
        )
        self.assertEqual(
            dict(views),
            {
                "crm_lead_all_leads_view_pivot": "crm_lead_view_pivot",
                "crm_lead_all_leads_view_graph": "crm_lead_view_graph",
            },
        )

        self._odoo("-i", ",".join(ADDONS))
        self._check_installed(before)
