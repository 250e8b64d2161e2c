"""IAM: roles, users, groups, managed and inline policies, access keys, instance profiles and
service-linked roles, for one account whatever the region (IAM is global).

Each family of operations is a class in operations/; the domain (rows in the store, policy
grammar, ids) is one module per concept beside this one. What STS builds on:
`roles.get` / `roles.get_by_arn` and `access_keys.lookup`.
"""

from __future__ import annotations

from lamina.config import Settings
from lamina.services.iam.operations.account import AccountOperations
from lamina.services.iam.operations.attached import AttachedPolicyOperations
from lamina.services.iam.operations.groups import GroupOperations
from lamina.services.iam.operations.policies import PolicyOperations
from lamina.services.iam.operations.profiles import InstanceProfileOperations
from lamina.services.iam.operations.roles import RoleOperations
from lamina.services.iam.operations.users import UserOperations
from lamina.services.registry import Provider
from lamina.store import Store


class IamProvider(
    RoleOperations,
    PolicyOperations,
    AttachedPolicyOperations,
    UserOperations,
    GroupOperations,
    InstanceProfileOperations,
    AccountOperations,
    Provider,
):
    service_name = "iam"

    def __init__(self, store: Store, settings: Settings) -> None:
        super().__init__(store)
        self.settings = settings
