from odoo.tests import tagged

from .channels import ChannelCommon

RAW = """Return-Path: <{sender}>
Received: from mail.example.vn (mail.example.vn [203.0.113.7])
    by mx.lead-crm.example.com (Postfix) with ESMTPS id 4F2C31A0
    for <{to}>; Tue, 01 Dec 2026 08:14:02 +0700
From: {author} <{sender}>
To: {to}
Subject: {subject}
Date: Tue, 01 Dec 2026 08:14:00 +0700
Message-ID: <{message_id}@mail.example.vn>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

Chào anh chị,
Chúng tôi cần báo giá phần mềm CRM cho 20 nhân viên.

--b1
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: 8bit

<p>Chào anh chị,</p><p>Chúng tôi cần báo giá phần mềm CRM cho 20 nhân viên.</p>

--b1--
"""


@tagged("post_install", "-at_install")
class TestChannelEmail(ChannelCommon):
    """An e-mail to a sales team's alias, through the mail gateway
    (``message_process``) with a raw RFC 822 message."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alias_domain = cls.env["mail.alias.domain"].create(
            {"name": "lead-crm.example.com"}
        )
        cls.company.alias_domain_id = cls.alias_domain
        cls.team_south.write(
            {
                "use_leads": True,
                "alias_name": "mien-nam",
                "alias_domain_id": cls.alias_domain.id,
            }
        )
        cls.generic_alias = cls.env["mail.alias"].create(
            {
                "alias_name": "lienhe",
                "alias_domain_id": cls.alias_domain.id,
                "alias_model_id": cls.env["ir.model"]._get_id("crm.lead"),
                "alias_defaults": "{'type': 'lead'}",
            }
        )

    def _receive(self, to, sender, author, subject, message_id):
        raw = RAW.format(
            to=to, sender=sender, author=author, subject=subject, message_id=message_id
        )
        lead_id = self.env["mail.thread"].message_process(False, raw.encode())
        return self.env["crm.lead"].browse(lead_id)

    def test_known_customer_writes_to_team_alias(self):
        lead = self._receive(
            "mien-nam@lead-crm.example.com",
            self.customer_sg.email,
            "Sao Mai",
            "Báo giá CRM",
            "sm-1",
        )
        self.assertEqual(lead.name, "Báo giá CRM")
        self.assertEqual(lead.partner_id, self.customer_sg)
        self.assertFalse(lead.user_id, "crm leaves the salesperson to assignment")
        self.assertCompleteLead(
            lead,
            territory=self.territory_sg,
            team=self.team_south,
            returning=True,
            rules=self.rule_email | self.rule_vn,
        )
        self.assertIn("20 nhân viên", str(lead.message_ids.mapped("body")))

    def test_unknown_sender_to_generic_alias(self):
        """No team in the alias: a known address routes by its territory."""
        partner = self.env["res.partner"].create(
            {
                "name": "Lê Thị Hà",
                "email": "ha.le@example.vn",
                "state_id": self.state_hn.id,
                "country_id": self.vn.id,
            }
        )
        lead = self._receive(
            "lienhe@lead-crm.example.com",
            partner.email,
            partner.name,
            "Hỏi giá",
            "ha-1",
        )
        self.assertCompleteLead(
            lead,
            territory=self.territory_hn,
            team=self.team_north,
            returning=False,
            rules=self.rule_email | self.rule_vn,
        )
        # a stranger: no address, no territory, a new lead with its score
        lead = self._receive(
            "lienhe@lead-crm.example.com",
            "someone@unknown.example.com",
            "Someone",
            "Question",
            "un-1",
        )
        self.assertFalse(lead.partner_id)
        self.assertFalse(lead.territory_id)
        self.assertFalse(lead.is_returning)
        self.assertEqual(lead.lead_status_id, self.default_status)
        self.assertEqual(lead.lead_score, self.rule_email.points)
