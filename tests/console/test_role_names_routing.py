"""Every valid role name has a role page: `create` (the wizard's word), and names with `.`, `@`, `=`, `+`, `,`."""
from __future__ import annotations

import pytest
from django.urls import resolve, reverse

from tests.console.role_pages_helpers import EC2_TRUST, HTMX, detail, make_role, text

NAMES = ["create", "a.b@c=d+e,f", "details", "..", ".", "r" * 64]
TABS = ["permissions", "trust", "tags", "last-accessed", "revoke"]


def _path(url: str) -> str:
    """The path Django matches, as a browser sends it and the server decodes it once."""
    return url.replace("%25", "%")


class RoleUrlTests:
    @pytest.mark.parametrize("name", NAMES)
    def test_the_role_page_url_gives_back_the_name(self, name):
        match = resolve(_path(reverse("console:role-detail", args=[name])))
        assert (match.url_name, match.kwargs) == ("role-detail", {"role_name": name})

    def test_the_role_page_is_under_details(self):
        assert reverse("console:role-detail", args=["create"]) == "/console/iam/roles/details/create/"

    def test_the_wizard_keeps_its_url(self):
        assert resolve(reverse("console:role-create")).url_name == "role-create"

    @pytest.mark.parametrize("name", ["..", "."])
    def test_dot_names_never_make_a_dot_segment_a_browser_would_drop(self, name):
        url = reverse("console:role-detail", args=[name])
        assert "/./" not in url and "/../" not in url

    @pytest.mark.parametrize("name", ["a/b", "r" * 65, "naïve", "a b"])
    def test_an_invalid_role_name_has_no_role_page(self, name):
        from django.urls import NoReverseMatch

        with pytest.raises(NoReverseMatch):
            reverse("console:role-detail", args=[name])

    def test_an_inline_policy_named_with_dots_round_trips(self):
        url = reverse("console:role-inline-policy-edit", args=["create", ".."])
        assert resolve(_path(url)).kwargs == {"role_name": "create", "policy_name": ".."}


@pytest.mark.django_db
class RoleNamedCreateTests:
    def test_its_page_opens(self, student_client, student):
        arn = make_role(student, "create", trust=EC2_TRUST)
        page = detail(student_client, "create")
        assert page.status_code == 200
        assert arn in text(page)

    @pytest.mark.parametrize("tab", TABS)
    def test_each_tab_opens_as_a_fragment(self, student_client, student, tab):
        make_role(student, "create", trust=EC2_TRUST)
        response = detail(student_client, "create", tab=tab, headers=HTMX)
        assert response.status_code == 200
        assert f'id="panel-{tab}"' in text(response)

    def test_the_role_list_links_to_its_page(self, student_client, student):
        make_role(student, "create", trust=EC2_TRUST)
        page = text(student_client.get(reverse("console:role-list")))
        assert 'href="/console/iam/roles/details/create/"' in page

    def test_the_wizard_still_opens(self, student_client, student):
        make_role(student, "create", trust=EC2_TRUST)
        response = student_client.get(reverse("console:role-create"))
        assert response.status_code == 302
        assert "/trusted-entity/" in response["Location"]

    def test_its_tags_can_be_edited(self, student_client, student):
        make_role(student, "create", trust=EC2_TRUST)
        url = reverse("console:role-tags-edit", args=["create"])
        response = student_client.post(url, {"action": "save", "tag_key": "team", "tag_value": "blue"})
        assert response.status_code == 302
        assert response["Location"] == reverse("console:role-detail", args=["create"]) + "?tab=tags"


@pytest.mark.django_db
class RoleWithPunctuationTests:
    NAME = "a.b@c=d+e,f"

    def test_its_page_opens(self, student_client, student):
        arn = make_role(student, self.NAME, trust=EC2_TRUST)
        page = detail(student_client, self.NAME)
        assert page.status_code == 200
        assert arn in text(page)

    @pytest.mark.parametrize("tab", TABS)
    def test_each_tab_opens(self, student_client, student, tab):
        make_role(student, self.NAME, trust=EC2_TRUST)
        response = detail(student_client, self.NAME, tab=tab)
        assert response.status_code == 200
        assert f'id="tab-{tab}"' in text(response)

    def test_its_summary_editor_opens(self, student_client, student):
        make_role(student, self.NAME, trust=EC2_TRUST)
        response = student_client.get(reverse("console:role-summary-edit", args=[self.NAME]))
        assert response.status_code == 200

    def test_an_inline_policy_can_be_added_and_opened(self, student_client, student):
        make_role(student, self.NAME, trust=EC2_TRUST)
        document = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", ' \
                   '"Resource": "*"}]}'
        create = reverse("console:role-inline-policy-create", args=[self.NAME])
        response = student_client.post(create, {"policy_name": "p.q@r", "policy_document": document})
        assert response.status_code == 302, text(response)[:500]
        opened = student_client.get(reverse("console:role-inline-policy-edit", args=[self.NAME, "p.q@r"]))
        assert opened.status_code == 200


@pytest.mark.django_db
def test_a_role_named_dot_dot_opens(student_client, student):
    arn = make_role(student, "..", trust=EC2_TRUST)
    response = student_client.get(reverse("console:role-detail", args=[".."]))  # the client decodes it once
    assert response.status_code == 200
    assert arn in text(response)
