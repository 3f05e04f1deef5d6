from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.tests import TransactionCase


class LeadManagementCommon(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.country_id = cls.env.ref("base.vn")
        cls.vn = cls.env.ref("base.vn")
        cls.be = cls.env.ref("base.be")
        cls.state_hn = cls.env.ref("base.state_vn_VN-HN")
        cls.state_sg = cls.env.ref("base.state_vn_VN-SG")
        cls.state_dn = cls.env.ref("base.state_vn_VN-DN")

        # attribute, login, name, groups
        for attribute, login, name, groups in (
            (
                "user_salesman",
                "lm_salesman",
                "Lê Văn Bán",
                "sales_team.group_sale_salesman",
            ),
            (
                "user_salesman_other",
                "lm_salesman_other",
                "Phạm Thị Khác",
                "sales_team.group_sale_salesman",
            ),
            (
                "user_team_leader",
                "lm_team_leader",
                "Trần Trưởng Nhóm",
                "lead_management.group_sale_team_leader",
            ),
            (
                "user_regional",
                "lm_regional",
                "Ngô Vùng Miền",
                "lead_management.group_sale_team_leader",
            ),
            (
                "user_all_leads",
                "lm_all_leads",
                "Đỗ Tất Cả",
                "sales_team.group_sale_salesman_all_leads",
            ),
            (
                "user_manager",
                "lm_manager",
                "Hoàng Quản Trị",
                "sales_team.group_sale_manager",
            ),
        ):
            user = mail_new_test_user(
                cls.env,
                login=login,
                name=name,
                email=f"{login}@example.com",
                groups=groups,
            )
            setattr(cls, attribute, user)
        cls.team_north = cls.env["crm.team"].create(
            {"name": "Miền Bắc", "user_id": cls.user_team_leader.id}
        )
        cls.env["crm.team.member"].create(
            {"crm_team_id": cls.team_north.id, "user_id": cls.user_salesman.id}
        )
        cls.team_south = cls.env["crm.team"].create({"name": "Miền Nam"})
        cls.env["crm.team.member"].create(
            {"crm_team_id": cls.team_south.id, "user_id": cls.user_salesman_other.id}
        )
        Territory = cls.env["crm.territory"]
        # the tests build their own map of territories
        Territory.search([]).action_archive()
        cls.territory_vn = Territory.create(
            {"name": "Việt Nam", "code": "T-VN", "country_ids": [(6, 0, cls.vn.ids)]}
        )
        cls.territory_hn = Territory.create(
            {
                "name": "Hà Nội",
                "code": "T-HN",
                "parent_id": cls.territory_vn.id,
                "state_ids": [(6, 0, cls.state_hn.ids)],
                "zip_prefixes": "10, 11",
                "manager_id": cls.user_regional.id,
                "team_id": cls.team_north.id,
            }
        )
        cls.territory_hn_center = Territory.create(
            {
                "name": "Hoàn Kiếm",
                "code": "T-HK",
                "parent_id": cls.territory_hn.id,
                "zip_prefixes": "1000",
            }
        )
        cls.territory_sg = Territory.create(
            {
                "name": "TP. Hồ Chí Minh",
                "code": "T-SG",
                "parent_id": cls.territory_vn.id,
                "state_ids": [(6, 0, cls.state_sg.ids)],
                "zip_prefixes": "70",
                "team_id": cls.team_south.id,
            }
        )
        cls.status_potential = cls.env.ref("lead_management.lead_status_potential")
        cls.status_interested = cls.env.ref("lead_management.lead_status_interested")
        cls.status_unknown = cls.env.ref("lead_management.lead_status_unknown")
        cls.status_customer = cls.env.ref("lead_management.lead_status_customer")

    def flush_tracking(self):
        """Write the pending chatter tracking, as a commit would."""
        self.env.flush_all()
        self.env.cr.precommit.run()


OK = "allowed"
ROLES = ("employee", "salesman", "team_leader", "all_documents", "manager", "portal")


class AccessMatrixMixin:
    """Checks a table of (row, outcome per role of ROLES): OK, or the error
    the role gets. Each row is checked by the method ``_cell_<row>(env, role)``
    with the role's environment, each cell rolled back for the next one. The
    users of the roles are in ``access_users`` (role: user)."""

    def _check_matrix(self, matrix):
        for cell, *outcomes in matrix:
            for role, outcome in zip(ROLES, outcomes, strict=True):
                with self.subTest(cell=cell, role=role):
                    self._check_cell(cell, role, outcome)

    def _check_cell(self, cell, role, outcome):
        env = self.env(user=self.access_users[role])
        check = getattr(self, f"_cell_{cell}")
        savepoint = self.env.cr.savepoint()
        try:
            if outcome == OK:
                check(env, role)
            else:
                with self.assertRaises(outcome):
                    check(env, role)
            self.env.flush_all()
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all(flush=False)
