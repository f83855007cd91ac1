"""Every public function and method documents its parameters and what it returns.

Public: a function or method whose name has no leading underscore, of a module whose own
name has none, and of a public class (properties, dunder methods and nested functions are
not walked). numpydoc's validator runs on each with only the codes that hold the
Parameters and Returns (or Yields) sections to the signature; not the style codes
(summary wording, capitals, full stops, See Also, Examples).
"""

import importlib
import inspect
import pkgutil

from numpydoc.docscrape import get_doc_object
from numpydoc.validate import Validator, validate

import workbench

CODES = {
    "GL08",  # no docstring
    "PR01",  # a parameter of the signature is not documented
    "PR02",  # a documented parameter is not in the signature
    "PR03",  # documented in another order than the signature's
    "PR04",  # a parameter has no type
    "PR07",  # a parameter has no description
    "PR10",  # "name: type" (no space before the colon) is not read as a parameter
    "RT01",  # returns a value but has no Returns section
    "RT03",  # a returned value has no description
    "YD01",  # a generator without a Yields section
}


class _Validator(Validator):
    """numpydoc's Validator, built from a dotted name, that checks classmethods too.

    numpydoc checks RT01 and YD01 only where ``inspect.isfunction`` holds, which a
    classmethod (a bound method once looked up) does not.

    Parameters
    ----------
    obj_name : str
        Dotted path of the function or method.
    """

    def __init__(self, obj_name):
        super().__init__(get_doc_object(Validator._load_obj(obj_name)))

    @property
    def is_function_or_method(self):
        return inspect.isfunction(getattr(self.obj, "__func__", self.obj))


def _public_modules():
    yield workbench
    for info in pkgutil.walk_packages(workbench.__path__, "workbench."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            yield importlib.import_module(info.name)


def public_functions() -> list[str]:
    """Dotted paths of the public functions and methods defined in workbench.

    Returns
    -------
    list of str
        Functions of public modules and methods of their public classes, each where it
        is defined (a name re-exported by a package counts once).
    """
    names = []
    for module in _public_modules():
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj):
                names.append(f"{module.__name__}.{name}")
            elif inspect.isclass(obj):
                names.extend(
                    f"{module.__name__}.{name}.{attr}"
                    for attr, value in vars(obj).items()
                    if not attr.startswith("_")
                    and (inspect.isfunction(value) or isinstance(value, staticmethod | classmethod))
                )
    return names


NAMES = public_functions()


def test_walks_every_public_function_and_no_other():
    assert len(NAMES) == len(set(NAMES)) > 400
    for name in ["workbench.sample.plan.plan_resampling",  # a function of a subpackage
                 "workbench.sample.plan.ResamplingPlan.to_json",  # a method
                 "workbench.sample.plan.ResamplingPlan.from_json",  # a classmethod
                 "workbench.torch_sampling.FocalLoss.forward",  # a method of a torch class
                 "workbench.errors.passes_missing"]:  # a decorator
        assert name in NAMES
    assert not [n for n in NAMES if any(p.startswith("_") for p in n.split("."))]
    assert "workbench.sample.ResamplingPlan.to_json" not in NAMES  # re-exported: once
    assert "workbench.sample.plan.ResamplingPlan.multiplier" not in NAMES  # a property


def test_parameters_and_returns_are_documented():
    problems = []
    for name in NAMES:
        errors = [f"{code} {message}"
                  for code, message in validate(name, validator_cls=_Validator)["errors"]
                  if code in CODES]
        obj = Validator._load_obj(name)
        if (inspect.signature(obj).return_annotation in (None, "None")
                and get_doc_object(obj)["Returns"]):
            errors.append("a Returns section, but it is annotated -> None")
        if errors:
            problems.append(f"{name}: " + "; ".join(errors))
    assert not problems, (f"{len(problems)} public functions do not document their "
                          "parameters and returns (numpydoc sections):\n" + "\n".join(problems))
