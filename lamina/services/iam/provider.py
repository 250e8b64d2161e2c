"""IAM: roles, users, groups, managed and inline policies, access keys, instance profiles and
service-linked roles, for one account whatever the region (IAM is global).

Each family of operations is a class in operations/; the domain (rows in the store, policy
grammar, ids) is one module per concept beside this one. What STS builds on:
`roles.get` / `roles.get_by_arn` and `access_keys.lookup`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from lamina import iam_identity_policies
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
        for name in dir(self):
            if not name.startswith(_WRITES):
                continue
            method = getattr(self, name)
            if callable(method) and not getattr(method, "store_read", False):
                setattr(self, name, _telling(method))


# What may change an identity's permissions: callers that cache policies hear of it at once.
_WRITES = ("create_", "put_", "attach_", "detach_", "delete_", "add_", "remove_", "update_",
           "set_")  # fmt: skip


def _telling(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        finally:
            iam_identity_policies.changed()

    return call
