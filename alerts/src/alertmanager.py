"""The example Alertmanager configuration: page on critical, ticket on warning, and one page per
broken port: a root-cause alert inhibits the symptom alert of the same port."""

import config
import rules

AM = config.ALERTMANAGER


def document():
    causes = "|".join(cause for cause, _, _ in rules.CAUSES)
    return {
        "_comment": [
            "Example Alertmanager configuration for PortExporter's alerts (alerts/rules.yml).",
            "Replace the webhook URLs with your pager and ticket receivers.",
        ],
        "route": {
            "receiver": "tickets",
            "group_by": AM["ticket_group_by"],
            "group_wait": AM["ticket_group_wait"],
            "group_interval": AM["ticket_group_interval"],
            "repeat_interval": AM["ticket_repeat_interval"],
            "routes": [
                {
                    "_comment": ["Pages: one notification group per broken port (its cause, or the symptom alone)."],
                    "receiver": "pager",
                    "matchers": [f'severity="{config.SEVERITY_PAGE}"'],
                    "group_by": AM["page_group_by"],
                    "group_wait": AM["page_group_wait"],
                    "group_interval": AM["page_group_interval"],
                    "repeat_interval": AM["page_repeat_interval"],
                },
                {
                    "receiver": "tickets",
                    "matchers": [f'severity="{config.SEVERITY_TICKET}"'],
                },
            ],
        },
        "inhibit_rules": [
            {
                "_comment": [
                    "A root-cause alert (it carries the cause label) silences the case's symptom alert for",
                    "the same port: on-call gets one page, with the cause.",
                ],
                "source_matchers": [f'cause=~"{causes}"'],
                "target_matchers": [f'alertname="{rules.SYMPTOM_ALERT}"'],
                "equal": AM["inhibit_equal"],
            },
        ],
        "receivers": [
            {
                "name": "pager",
                "webhook_configs": [{"url": AM["pager_url"], "send_resolved": True}],
            },
            {
                "name": "tickets",
                "webhook_configs": [{"url": AM["ticket_url"], "send_resolved": True}],
            },
        ],
    }
