"""Context keys: case-insensitive names, tags, STS request keys and keys derived from the principal."""

from __future__ import annotations

from iam import Context, Principal, Request, make_context
from iam.context import principal_keys


class ContextTests:
    def test_key_names_are_case_insensitive(self):
        context = Context.from_mapping({"aws:SourceIp": "203.0.113.9"})
        assert (context["AWS:SOURCEIP"], "aws:sourceip" in context) == (("203.0.113.9",), True)

    def test_values_are_case_sensitive(self):
        assert Context.from_mapping({"sts:ExternalId": "AbC"})["sts:externalid"] == ("AbC",)

    def test_values_become_tuples_of_strings(self):
        context = Context.from_mapping({"a:Bool": True, "a:No": False, "a:Num": 5, "a:List": ["x", 1]})
        assert dict(context) == {"a:Bool": ("true",), "a:No": ("false",), "a:Num": ("5",), "a:List": ("x", "1")}

    def test_the_last_spelling_of_a_key_wins(self):
        context = Context.from_mapping({"aws:PrincipalTag/Team": "a", "aws:principaltag/team": "b"})
        assert (len(context), list(context), context["aws:PrincipalTag/TEAM"]) == (1, ["aws:principaltag/team"], ("b",))

    def test_missing_keys(self):
        context = Context()
        assert (context.get("aws:username"), 7 in context, len(context)) == (None, False, 0)

    def test_merged_with_lets_the_other_context_win(self):
        merged = Context.from_mapping({"a:X": "1", "a:Y": "2"}).merged_with(Context.from_mapping({"A:x": "3"}))
        assert (merged["a:x"], merged["a:y"]) == (("3",), ("2",))

    def test_merged_with_keeps_first_positions_and_the_last_spelling(self):
        merged = Context.from_mapping({"a:X": "1", "a:Y": "2"}).merged_with(
            Context.from_mapping({"A:x": "3", "a:Z": "4"})
        )
        assert merged.entries == (("A:x", ("3",)), ("a:Y", ("2",)), ("a:Z", ("4",)))

    def test_merged_with_a_plain_mapping(self):
        merged = Context.from_mapping({"a:X": "1"}).merged_with({"A:X": ("2",), "a:Y": ("3",)})
        assert merged.entries == (("A:X", ("2",)), ("a:Y", ("3",)))

    def test_merged_with_an_empty_side_is_the_other_side(self):
        context = Context.from_mapping({"a:X": "1"})
        assert (context.merged_with(Context()) == context, Context().merged_with(context) == context) == (True, True)

    def test_lookup_is_get_with_an_empty_default(self):
        context = Context.from_mapping({"a:X": ["1", "2"]})
        assert (context.lookup("A:x"), context.lookup("a:missing")) == (("1", "2"), ())

    def test_contexts_compare_and_hash_by_their_entries(self):
        first, second = Context.from_mapping({"a:X": "1"}), Context.from_mapping({"a:X": "1"})
        assert (first == second, hash(first) == hash(second)) == (True, True)

    def test_a_request_turns_a_plain_mapping_into_a_context(self):
        request = Request(action="s3:GetObject", resource="*", context={"AWS:SourceIp": "1.2.3.4"})
        assert (isinstance(request.context, Context), request.context["aws:sourceip"]) == (True, ("1.2.3.4",))


class MakeContextTests:
    def test_session_tags_become_principal_tags(self):
        context = make_context(principal_tags={"team": "blue"})
        assert context["aws:PrincipalTag/Team"] == ("blue",)

    def test_request_tags_also_set_tag_keys(self):
        context = make_context(request_tags={"Project": "apollo", "Owner": "alice"})
        assert (context["aws:RequestTag/project"], context["aws:TagKeys"]) == (("apollo",), ("Project", "Owner"))

    def test_resource_tags(self):
        assert make_context(resource_tags={"env": "prod"})["aws:ResourceTag/env"] == ("prod",)

    def test_sts_keys_exist_only_when_passed(self):
        context = make_context(external_id="partner-42", role_session_name="alice", source_identity="alice@example.com")
        assert (context["sts:ExternalId"], context["sts:RoleSessionName"], context["sts:SourceIdentity"]) == (
            ("partner-42",),
            ("alice",),
            ("alice@example.com",),
        )
        assert "sts:ExternalId" not in make_context()

    def test_transitive_tag_keys_time_ip_and_mfa(self):
        context = make_context(
            transitive_tag_keys=["Project"],
            current_time="2024-01-01T00:00:00Z",
            source_ip="203.0.113.9",
            mfa_present=False,
        )
        assert [
            context[key]
            for key in ("sts:TransitiveTagKeys", "aws:CurrentTime", "aws:SourceIp", "aws:MultiFactorAuthPresent")
        ] == [
            ("Project",),
            ("2024-01-01T00:00:00Z",),
            ("203.0.113.9",),
            ("false",),
        ]

    def test_an_empty_transitive_tag_key_list_is_present_but_empty(self):
        context = make_context(transitive_tag_keys=[])
        assert ("sts:TransitiveTagKeys" in context, context["sts:TransitiveTagKeys"]) == (True, ())

    def test_explicit_keys_win_over_derived_ones(self):
        context = make_context({"sts:ExternalId": "explicit"}, external_id="derived")
        assert context["sts:ExternalId"] == ("explicit",)


class PrincipalKeysTests:
    def test_an_iam_user(self):
        keys = principal_keys(Principal.aws("arn:aws:iam::111122223333:user/div/alice", unique_id="AIDAEXAMPLE"))
        assert dict(keys) == {
            "aws:PrincipalArn": ("arn:aws:iam::111122223333:user/div/alice",),
            "aws:PrincipalAccount": ("111122223333",),
            "aws:PrincipalType": ("User",),
            "aws:username": ("alice",),
            "aws:userid": ("AIDAEXAMPLE",),
        }

    def test_a_role_session_uses_the_role_arn_and_has_no_username(self):
        keys = principal_keys(Principal.aws("arn:aws:sts::111122223333:assumed-role/Dev/s"))
        assert (keys["aws:PrincipalArn"], keys["aws:PrincipalType"], "aws:username" in keys) == (
            ("arn:aws:iam::111122223333:role/Dev",),
            ("AssumedRole",),
            False,
        )

    def test_other_aws_principal_types(self):
        types = [
            principal_keys(Principal.aws(arn))["aws:PrincipalType"][0]
            for arn in (
                "arn:aws:sts::111122223333:federated-user/carol",
                "arn:aws:iam::111122223333:role/Dev",
                "arn:aws:iam::111122223333:root",
            )
        ]
        assert types == ["FederatedUser", "Role", "Account"]

    def test_an_unknown_account_is_left_out(self):
        assert "aws:PrincipalAccount" not in principal_keys(Principal.aws("someone"))

    def test_service_and_anonymous_callers_get_no_keys(self):
        assert (len(principal_keys(Principal.service("ec2.amazonaws.com"))), len(principal_keys(None))) == (0, 0)
