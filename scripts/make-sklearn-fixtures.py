#!/usr/bin/python3
# The ai.onnx.ml files tm.onnx.load is tested against: small scikit-learn
# models, trained here on fixed random data, written as the ONNX graphs
# scikit-learn's converter (skl2onnx) makes of them, beside scikit-learn's own
# predictions. skl2onnx is not packaged in Debian, so its conversions are
# written out below with onnx.helper, each following what skl2onnx emits for
# that estimator (the same ops, attributes and layouts: a tree's nodes as
# BRANCH_LEQ on float thresholds, a forest's leaf values divided by its size,
# a boosted model's init as base_values, an SVM's libsvm coefficients as
# they are) — except ZipMap: each classifier gives its probabilities as a
# tensor, as skl2onnx does with options={'zipmap': False}.
#
# Each case is written into test/fixtures/onnx_sklearn/ as
#   NAME.onnx   the graph, input x (float32 [N, F]), outputs named after
#               what scikit-learn computes: label (int64, predict),
#               probabilities (float32, predict_proba), variable (float32,
#               predict of a regressor), scores (float32, decision_function
#               where it is the graph's output);
#   NAME.npz    x (held-out rows, none from the training set, so no value
#               lies exactly on a tree's threshold) and scikit-learn's outputs;
#   zipmap/NAME.onnx  for each classifier, the graph as skl2onnx writes it by
#               default: its labels as output_label, its probabilities zipped
#               by a ZipMap into output_probability, a sequence of maps from
#               class label to probability (seq(map(int64, tensor(float)))).
#               Checked against NAME.npz.
#   strings/NAME.onnx  models of string class names and categorical string
#               columns (classlabels_strings, OneHotEncoder's cats_strings,
#               an OrdinalEncoder's LabelEncoder, an MLP's classes picked by
#               ArrayFeatureExtractor), as skl2onnx writes them with
#               ZipMap on (its output_label a string tensor, its
#               output_probability a seq(map(string, float))); beside each
#               strings/NAME.json: the inputs (x as numbers, string columns
#               as strings, a map input as a list of one map per sample, run
#               one at a time) and scikit-learn's predict and predict_proba.
# Also two larger models for `npm run bench -- onnx` (bench/models/forest.onnx,
# boosting.onnx: a random forest and gradient boosting of regression trees
# on 20 features), written the same way, without expected outputs (the bench
# checks tmnn against onnxruntime-web on its own inputs).
#
# Needs scikit-learn and onnx (Debian's: apt-get install python3-sklearn
# python3-onnx; 1.2 and 1.12); the tests need only the files it writes:
#   /usr/bin/python3 scripts/make-sklearn-fixtures.py   (from the repository root)
import json
import os

import numpy as np
import onnx
import sklearn
from onnx import TensorProto, helper
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor, RandomForestRegressor
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.svm import SVC, SVR
from sklearn.tree import DecisionTreeClassifier
from npz import save_npz

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'onnx_sklearn')
BENCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'bench', 'models')
ML = 'ai.onnx.ml'
rng = np.random.default_rng(20261204)


def data(n_train, n_test, features, classes=None, missing=0.0):
    """Features N(0, 1) (float32, as skl2onnx's graphs take them); targets from a random nonlinear rule."""
    x = rng.standard_normal((n_train + n_test, features)).astype(np.float32)
    w = rng.standard_normal((features, max(classes or 1, 1)))
    z = np.tanh(x @ w) + 0.3 * np.sin(3 * x[:, :1]) + 0.1 * rng.standard_normal((len(x), 1))
    y = z.argmax(1) if classes and classes > 1 else z[:, 0]
    if missing:
        x[rng.random(x.shape) < missing] = np.nan
    return x[:n_train], y[:n_train], x[n_train:]


def tree_nodes(tree, tree_id, leaf_values):
    """One fitted sklearn tree as TreeEnsemble* node attributes; leaf_values(node) -> [(target or class id, weight)]."""
    t = tree.tree_
    nodes = dict(nodes_treeids=[], nodes_nodeids=[], nodes_featureids=[], nodes_values=[], nodes_modes=[],
                 nodes_truenodeids=[], nodes_falsenodeids=[], nodes_hitrates=[], nodes_missing_value_tracks_true=[])
    leaves = []
    for i in range(t.node_count):
        leaf = t.children_left[i] == -1
        nodes['nodes_treeids'].append(tree_id)
        nodes['nodes_nodeids'].append(i)
        nodes['nodes_featureids'].append(0 if leaf else int(t.feature[i]))
        nodes['nodes_values'].append(0.0 if leaf else float(t.threshold[i]))
        nodes['nodes_modes'].append('LEAF' if leaf else 'BRANCH_LEQ')
        nodes['nodes_truenodeids'].append(0 if leaf else int(t.children_left[i]))
        nodes['nodes_falsenodeids'].append(0 if leaf else int(t.children_right[i]))
        nodes['nodes_hitrates'].append(1.0)
        nodes['nodes_missing_value_tracks_true'].append(0)
        if leaf:
            leaves += [(tree_id, i, k, float(v)) for k, v in leaf_values(i)]
    return nodes, leaves


def ensemble(trees, leaf_values):
    """Every tree's nodes and leaves, concatenated as one TreeEnsemble* node's attributes."""
    merged, leaves = {}, []
    for tree_id, tree in enumerate(trees):
        nodes, ls = tree_nodes(tree, tree_id, lambda i, tree=tree: leaf_values(tree, i))
        for k, v in nodes.items():
            merged.setdefault(k, []).extend(v)
        leaves += ls
    return merged, leaves


def graph(name, features, nodes, outputs):
    """A model of `nodes` reading x [N, features]; outputs as (name, elem_type, shape)."""
    g = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info('x', TensorProto.FLOAT, ['N', features])],
        [helper.make_tensor_value_info(n, t, s) for n, t, s in outputs],
    )
    model = helper.make_model(g, producer_name=f'scikit-learn {sklearn.__version__} (skl2onnx layout)', opset_imports=[
        helper.make_opsetid('', 15), helper.make_opsetid(ML, 3)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def classifier_outputs(n_classes):
    return [('label', TensorProto.INT64, ['N']), ('probabilities', TensorProto.FLOAT, ['N', n_classes])]


def linear_classifier(m, x, label, post_transform, names=False):
    """A fitted LogisticRegression → LinearClassifier reading x, giving `label` and probabilities; its labels as classlabels_strings (class names) or classlabels_ints."""
    labels = {'classlabels_strings': [str(c) for c in m.classes_]} if names else {'classlabels_ints': m.classes_.tolist()}
    return helper.make_node('LinearClassifier', [x], [label, 'probabilities'], domain=ML,
                            coefficients=m.coef_.astype(np.float32).ravel().tolist(), intercepts=m.intercept_.astype(np.float32).tolist(),
                            multi_class=0, post_transform=post_transform, **labels)


CASES = {}


def case(f):
    CASES[f.__name__] = f
    return f


@case
def linear_regression():
    """LinearRegression → LinearRegressor."""
    x, y, test = data(200, 17, 5)
    m = LinearRegression().fit(x, y)
    node = helper.make_node('LinearRegressor', ['x'], ['variable'], domain=ML,
                            coefficients=m.coef_.astype(np.float32).ravel().tolist(), intercepts=[float(m.intercept_)])
    return graph('linear_regression', 5, [node], [('variable', TensorProto.FLOAT, ['N', 1])]), test, {
        'variable': m.predict(test).astype(np.float32).reshape(-1, 1)}, 'LinearRegressor'


@case
def logistic_regression():
    """StandardScaler then a 4-class (multinomial) LogisticRegression → Scaler, LinearClassifier with SOFTMAX."""
    x, y, test = data(300, 19, 6, classes=4)
    scaler = StandardScaler().fit(x)
    m = LogisticRegression(max_iter=1000).fit(scaler.transform(x), y)
    nodes = [
        helper.make_node('Scaler', ['x'], ['scaled'], domain=ML, offset=scaler.mean_.astype(np.float32).tolist(),
                         scale=(1 / scaler.scale_).astype(np.float32).tolist()),
        linear_classifier(m, 'scaled', 'label', 'SOFTMAX'),
    ]
    s = scaler.transform(test)
    return graph('logistic_regression', 6, nodes, classifier_outputs(4)), test, {
        'label': m.predict(s).astype(np.int64), 'probabilities': m.predict_proba(s).astype(np.float32)}, 'Scaler, LinearClassifier (SOFTMAX)'


@case
def binary_logistic_regression():
    """A two-class LogisticRegression → LinearClassifier with one row of coefficients and LOGISTIC (onnxruntime's binary case)."""
    x, y, test = data(300, 15, 4, classes=2)
    m = LogisticRegression().fit(x, y)
    node = linear_classifier(m, 'x', 'label', 'LOGISTIC')
    return graph('binary_logistic_regression', 4, [node], classifier_outputs(2)), test, {
        'label': m.predict(test).astype(np.int64), 'probabilities': m.predict_proba(test).astype(np.float32)}, 'LinearClassifier (one row, LOGISTIC)'


@case
def imputed_min_max_regression():
    """SimpleImputer (mean), MinMaxScaler, LinearRegression on features 10% missing → Imputer, Scaler, LinearRegressor."""
    x, y, test = data(250, 21, 5, missing=0.1)
    imputer = SimpleImputer(strategy='mean').fit(x)
    scaler = MinMaxScaler().fit(imputer.transform(x))
    m = LinearRegression().fit(scaler.transform(imputer.transform(x)), y)
    nodes = [
        helper.make_node('Imputer', ['x'], ['imputed'], domain=ML, imputed_value_floats=imputer.statistics_.astype(np.float32).tolist(),
                         replaced_value_float=float('nan')),
        # MinMaxScaler's x·scale_ + min_ as Scaler's (x − offset)·scale.
        helper.make_node('Scaler', ['imputed'], ['scaled'], domain=ML, offset=(-scaler.min_ / scaler.scale_).astype(np.float32).tolist(),
                         scale=scaler.scale_.astype(np.float32).tolist()),
        helper.make_node('LinearRegressor', ['scaled'], ['variable'], domain=ML,
                         coefficients=m.coef_.astype(np.float32).ravel().tolist(), intercepts=[float(m.intercept_)]),
    ]
    want = m.predict(scaler.transform(imputer.transform(test)))
    return graph('imputed_min_max_regression', 5, nodes, [('variable', TensorProto.FLOAT, ['N', 1])]), test, {
        'variable': want.astype(np.float32).reshape(-1, 1)}, 'Imputer, Scaler, LinearRegressor'


@case
def decision_tree():
    """A 3-class DecisionTreeClassifier → TreeEnsembleClassifier, each leaf's class fractions as its weights."""
    x, y, test = data(300, 23, 5, classes=3)
    m = DecisionTreeClassifier(max_depth=5, random_state=0).fit(x, y)

    def fractions(tree, i):
        v = tree.tree_.value[i][0]
        return [(k, v[k] / v.sum()) for k in range(len(v))]
    nodes, leaves = ensemble([m], fractions)
    node = helper.make_node('TreeEnsembleClassifier', ['x'], ['label', 'probabilities'], domain=ML, **nodes,
                            class_treeids=[l[0] for l in leaves], class_nodeids=[l[1] for l in leaves],
                            class_ids=[l[2] for l in leaves], class_weights=[l[3] for l in leaves],
                            classlabels_int64s=m.classes_.tolist(), post_transform='NONE')
    return graph('decision_tree', 5, [node], classifier_outputs(3)), test, {
        'label': m.predict(test).astype(np.int64), 'probabilities': m.predict_proba(test).astype(np.float32)}, 'TreeEnsembleClassifier (NONE)'


@case
def random_forest_regressor():
    """A RandomForestRegressor of 7 trees → TreeEnsembleRegressor, leaf values divided by 7 and summed."""
    x, y, test = data(300, 25, 6)
    m = RandomForestRegressor(n_estimators=7, max_depth=6, random_state=0).fit(x, y)
    n = len(m.estimators_)
    nodes, leaves = ensemble(m.estimators_, lambda tree, i: [(0, tree.tree_.value[i][0][0] / n)])
    node = helper.make_node('TreeEnsembleRegressor', ['x'], ['variable'], domain=ML, **nodes, n_targets=1,
                            target_treeids=[l[0] for l in leaves], target_nodeids=[l[1] for l in leaves],
                            target_ids=[l[2] for l in leaves], target_weights=[l[3] for l in leaves],
                            aggregate_function='SUM', post_transform='NONE')
    return graph('random_forest_regressor', 6, [node], [('variable', TensorProto.FLOAT, ['N', 1])]), test, {
        'variable': m.predict(test).astype(np.float32).reshape(-1, 1)}, 'TreeEnsembleRegressor (SUM)'


@case
def gradient_boosting():
    """A two-class GradientBoostingClassifier of 12 trees → TreeEnsembleClassifier with its init as base_values and LOGISTIC (onnxruntime's binary case)."""
    x, y, test = data(300, 27, 5, classes=2)
    m = GradientBoostingClassifier(n_estimators=12, max_depth=3, learning_rate=0.3, random_state=0).fit(x, y)
    trees = [e[0] for e in m.estimators_]
    nodes, leaves = ensemble(trees, lambda tree, i: [(0, tree.tree_.value[i][0][0] * m.learning_rate)])
    # The initial raw score: the log-odds of the training labels' prior.
    base = float(m._raw_predict_init(test[:1])[0, 0])
    node = helper.make_node('TreeEnsembleClassifier', ['x'], ['label', 'probabilities'], domain=ML, **nodes,
                            class_treeids=[l[0] for l in leaves], class_nodeids=[l[1] for l in leaves],
                            class_ids=[l[2] for l in leaves], class_weights=[l[3] for l in leaves],
                            classlabels_int64s=m.classes_.tolist(), base_values=[base], post_transform='LOGISTIC')
    return graph('gradient_boosting', 5, [node], classifier_outputs(2)), test, {
        'label': m.predict(test).astype(np.int64), 'probabilities': m.predict_proba(test).astype(np.float32)}, 'TreeEnsembleClassifier (binary, base_values, LOGISTIC)'


def kernel_attributes(m):
    return dict(kernel_type=m.kernel.upper(), kernel_params=[float(m._gamma), float(m.coef0), float(m.degree)],
                support_vectors=m.support_vectors_.astype(np.float32).ravel().tolist())


@case
def svr():
    """An RBF SVR → SVMRegressor (libsvm's dual coefficients and intercept as they are)."""
    x, y, test = data(150, 13, 4)
    m = SVR(kernel='rbf', C=2.0, gamma='scale').fit(x, y)
    node = helper.make_node('SVMRegressor', ['x'], ['variable'], domain=ML, **kernel_attributes(m),
                            coefficients=m.dual_coef_.astype(np.float32).ravel().tolist(), rho=[float(m.intercept_[0])],
                            n_supports=len(m.support_), post_transform='NONE')
    return graph('svr', 4, [node], [('variable', TensorProto.FLOAT, ['N', 1])]), test, {
        'variable': m.predict(test).astype(np.float32).reshape(-1, 1)}, 'SVMRegressor (RBF)'


@case
def svc():
    """A 3-class polynomial SVC (one-vs-one) → SVMClassifier: libsvm's votes give the label."""
    x, y, test = data(200, 29, 4, classes=3)
    m = SVC(kernel='poly', degree=3, C=1.0, gamma='scale', coef0=0.5).fit(x, y)
    node = helper.make_node('SVMClassifier', ['x'], ['label', 'scores'], domain=ML, **kernel_attributes(m),
                            vectors_per_class=m.n_support_.tolist(), coefficients=m.dual_coef_.astype(np.float32).ravel().tolist(),
                            rho=m.intercept_.astype(np.float32).tolist(), classlabels_ints=m.classes_.tolist(), post_transform='NONE')
    return graph('svc', 4, [node], [('label', TensorProto.INT64, ['N']), ('scores', TensorProto.FLOAT, ['N', 3])]), test, {
        'label': m.predict(test).astype(np.int64)}, 'SVMClassifier (POLY, one-vs-one votes)'


def regression_trees(name, m, trees, scale, base):
    """Regression trees summed (each leaf value times `scale`) onto `base` → TreeEnsembleRegressor."""
    nodes, leaves = ensemble(trees, lambda tree, i: [(0, tree.tree_.value[i][0][0] * scale)])
    node = helper.make_node('TreeEnsembleRegressor', ['x'], ['variable'], domain=ML, **nodes, n_targets=1,
                            target_treeids=[l[0] for l in leaves], target_nodeids=[l[1] for l in leaves],
                            target_ids=[l[2] for l in leaves], target_weights=[l[3] for l in leaves],
                            base_values=[base], aggregate_function='SUM', post_transform='NONE')
    return graph(name, m.n_features_in_, [node], [('variable', TensorProto.FLOAT, ['N', 1])])


def bench_models():
    """A random forest of 60 trees of depth 8 and gradient boosting of 200 trees of depth 5, on 20 features."""
    x, y, _ = data(5000, 0, 20)
    forest = RandomForestRegressor(n_estimators=60, max_depth=8, random_state=0).fit(x, y)
    boosting = GradientBoostingRegressor(n_estimators=200, max_depth=5, learning_rate=0.1, random_state=0).fit(x, y)
    base = float(boosting._raw_predict_init(x[:1])[0, 0])
    return {
        'forest': regression_trees('forest', forest, forest.estimators_, 1 / len(forest.estimators_), 0.0),
        'boosting': regression_trees('boosting', boosting, [e[0] for e in boosting.estimators_], boosting.learning_rate, base),
    }


def zipmap_layout(model):
    """A classifier's model as skl2onnx writes it by default: label renamed output_label, probabilities zipped into output_probability."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    labels = next(n for n in g.node if 'probabilities' in n.output)
    classes = next(a for a in labels.attribute if a.name in ('classlabels_ints', 'classlabels_int64s')).ints
    for n in g.node:
        n.output[:] = ['output_label' if o == 'label' else o for o in n.output]
    g.node.append(helper.make_node('ZipMap', ['probabilities'], ['output_probability'], domain=ML, classlabels_int64s=list(classes)))
    # onnx 1.12's helper has no make_map_type_proto.
    probability = onnx.TypeProto()
    probability.map_type.key_type = TensorProto.INT64
    probability.map_type.value_type.CopyFrom(helper.make_tensor_type_proto(TensorProto.FLOAT, None))
    del g.output[:]
    g.output.extend([
        helper.make_tensor_value_info('output_label', TensorProto.INT64, ['N']),
        helper.make_value_info('output_probability', helper.make_sequence_type_proto(probability)),
    ])
    onnx.checker.check_model(m)
    return m


# Models of strings: their own generator, so the cases above (and the bench
# models after them) keep their data.
string_rng = np.random.default_rng(20261205)


def named_data(n_train, n_test, features, names):
    """data()'s rule with its own generator, the targets as class names."""
    x = string_rng.standard_normal((n_train + n_test, features)).astype(np.float32)
    w = string_rng.standard_normal((features, len(names)))
    z = np.tanh(x @ w) + 0.3 * np.sin(3 * x[:, :1]) + 0.1 * string_rng.standard_normal((len(x), 1))
    y = np.array(names, dtype=object)[z.argmax(1)]
    return x[:n_train], y[:n_train], x[n_train:]


def string_model(name, inputs, nodes, classes, initializers=(), domains=()):
    """A classifier of string labels as skl2onnx writes it by default: output_label (string [N]) and output_probability (ZipMap's maps)."""
    nodes = nodes + [helper.make_node('ZipMap', ['probabilities'], ['output_probability'], domain=ML, classlabels_strings=list(classes))]
    probability = onnx.TypeProto()
    probability.map_type.key_type = TensorProto.STRING
    probability.map_type.value_type.CopyFrom(helper.make_tensor_type_proto(TensorProto.FLOAT, None))
    g = helper.make_graph(
        nodes, name,
        [i if isinstance(i, onnx.ValueInfoProto) else helper.make_tensor_value_info(*i) for i in inputs],
        [helper.make_tensor_value_info('output_label', TensorProto.STRING, ['N']),
         helper.make_value_info('output_probability', helper.make_sequence_type_proto(probability))],
        initializer=list(initializers),
    )
    model = helper.make_model(g, producer_name=f'scikit-learn {sklearn.__version__} (skl2onnx layout)', opset_imports=[
        helper.make_opsetid('', 15), helper.make_opsetid(ML, 3)] + [helper.make_opsetid(d, 1) for d in domains])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def float_input(features):
    return [('x', TensorProto.FLOAT, ['N', features])]


def numbers(a):
    """A float32 array for the JSON file: its shape and its values (as doubles, exact)."""
    a = np.asarray(a, dtype=np.float32)
    return {'shape': list(a.shape), 'values': [float(v) for v in a.ravel()]}


def strings(a):
    a = np.asarray(a, dtype=object)
    return {'shape': list(a.shape), 'strings': [str(v) for v in a.ravel()]}


STRING_CASES = {}


def string_case(f):
    STRING_CASES[f.__name__] = f
    return f


@string_case
def logistic_regression_names():
    """A 3-class LogisticRegression trained on class names → LinearClassifier with classlabels_strings (SOFTMAX)."""
    x, y, test = named_data(300, 23, 5, ['setosa', 'versicolor', 'virginica'])
    m = LogisticRegression(max_iter=1000).fit(x, y)
    node = linear_classifier(m, 'x', 'output_label', 'SOFTMAX', names=True)
    return string_model('logistic_regression_names', float_input(5), [node], m.classes_), {'x': numbers(test)}, m.predict(test), m.predict_proba(test), 'LinearClassifier (classlabels_strings, SOFTMAX)'


@string_case
def binary_logistic_regression_names():
    """A two-class LogisticRegression on 'no' and 'yes' → LinearClassifier with one row of coefficients and classlabels_strings (LOGISTIC)."""
    x, y, test = named_data(300, 19, 4, ['no', 'yes'])
    m = LogisticRegression().fit(x, y)
    node = linear_classifier(m, 'x', 'output_label', 'LOGISTIC', names=True)
    return string_model('binary_logistic_regression_names', float_input(4), [node], m.classes_), {'x': numbers(test)}, m.predict(test), m.predict_proba(test), 'LinearClassifier (one row, classlabels_strings, LOGISTIC)'


@string_case
def decision_tree_names():
    """A DecisionTreeClassifier of three class names → TreeEnsembleClassifier with classlabels_strings."""
    x, y, test = named_data(300, 21, 5, ['cat', 'dog', 'fish'])
    m = DecisionTreeClassifier(max_depth=5, random_state=0).fit(x, y)

    def fractions(tree, i):
        v = tree.tree_.value[i][0]
        return [(k, v[k] / v.sum()) for k in range(len(v))]
    nodes, leaves = ensemble([m], fractions)
    node = helper.make_node('TreeEnsembleClassifier', ['x'], ['output_label', 'probabilities'], domain=ML, **nodes,
                            class_treeids=[l[0] for l in leaves], class_nodeids=[l[1] for l in leaves],
                            class_ids=[l[2] for l in leaves], class_weights=[l[3] for l in leaves],
                            classlabels_strings=[str(c) for c in m.classes_], post_transform='NONE')
    return string_model('decision_tree_names', float_input(5), [node], m.classes_), {'x': numbers(test)}, m.predict(test), m.predict_proba(test), 'TreeEnsembleClassifier (classlabels_strings)'


@string_case
def svc_names():
    """A 3-class RBF SVC with probabilities, on class names → SVMClassifier with classlabels_strings, prob_a and prob_b (pairwise coupling)."""
    x, y, test = named_data(200, 17, 4, ['low', 'mid', 'high'])
    m = SVC(kernel='rbf', C=1.0, gamma='scale', probability=True, random_state=0).fit(x, y)
    node = helper.make_node('SVMClassifier', ['x'], ['output_label', 'probabilities'], domain=ML, **kernel_attributes(m),
                            vectors_per_class=m.n_support_.tolist(), coefficients=m.dual_coef_.astype(np.float32).ravel().tolist(),
                            rho=m.intercept_.astype(np.float32).tolist(), prob_a=m.probA_.astype(np.float32).tolist(),
                            prob_b=m.probB_.astype(np.float32).tolist(), classlabels_strings=[str(c) for c in m.classes_], post_transform='NONE')
    # libsvm's predict votes and predict_proba couples, as SVMClassifier labels by votes and couples for its probabilities.
    return string_model('svc_names', float_input(4), [node], m.classes_), {'x': numbers(test)}, m.predict(test), m.predict_proba(test), 'SVMClassifier (RBF, classlabels_strings, coupling)'


@string_case
def mlp_names():
    """An MLPClassifier (one hidden ReLU layer) of four class names → MatMul, Add, Relu, Softmax, ArgMax, then the name picked from a string initializer by ArrayFeatureExtractor, as skl2onnx does."""
    x, y, test = named_data(400, 25, 6, ['north', 'east', 'south', 'west'])
    m = MLPClassifier(hidden_layer_sizes=(16,), max_iter=2000, random_state=0).fit(x, y)
    (w1, w2), (b1, b2) = m.coefs_, m.intercepts_
    f32 = lambda a: a.astype(np.float32)
    inits = [
        helper.make_tensor('w1', TensorProto.FLOAT, w1.shape, f32(w1).ravel()), helper.make_tensor('b1', TensorProto.FLOAT, b1.shape, f32(b1)),
        helper.make_tensor('w2', TensorProto.FLOAT, w2.shape, f32(w2).ravel()), helper.make_tensor('b2', TensorProto.FLOAT, b2.shape, f32(b2)),
        helper.make_tensor('classes', TensorProto.STRING, [len(m.classes_)], [str(c).encode() for c in m.classes_]),
        helper.make_tensor('shape', TensorProto.INT64, [1], [-1]),
    ]
    nodes = [
        helper.make_node('MatMul', ['x', 'w1'], ['h0']), helper.make_node('Add', ['h0', 'b1'], ['h1']), helper.make_node('Relu', ['h1'], ['h']),
        helper.make_node('MatMul', ['h', 'w2'], ['o0']), helper.make_node('Add', ['o0', 'b2'], ['o']),
        helper.make_node('Softmax', ['o'], ['probabilities'], axis=1),
        helper.make_node('ArgMax', ['probabilities'], ['index'], axis=1),
        helper.make_node('ArrayFeatureExtractor', ['classes', 'index'], ['picked'], domain=ML),
        helper.make_node('Reshape', ['picked', 'shape'], ['output_label']),
    ]
    return string_model('mlp_names', float_input(6), nodes, m.classes_, inits), {'x': numbers(test)}, m.predict(test), m.predict_proba(test), 'MatMul, Softmax, ArgMax, ArrayFeatureExtractor (string initializer), Reshape'


@string_case
def categorical_pipeline():
    """A ColumnTransformer — StandardScaler on 3 numbers, OneHotEncoder (unknown ignored) on a colour, OrdinalEncoder on a size — then a LogisticRegression of three medal names → Scaler; ArrayFeatureExtractor, OneHotEncoder (cats_strings), Reshape; LabelEncoder (keys_strings), Cast, Reshape; Concat; LinearClassifier (classlabels_strings)."""
    n_train, n_test = 400, 29
    numeric = string_rng.standard_normal((n_train + n_test, 3)).astype(np.float32)
    colours = np.array(['blue', 'green', 'red'], dtype=object)
    sizes = np.array(['S', 'M', 'L', 'XL'], dtype=object)
    colour = colours[string_rng.integers(0, 3, n_train + n_test)]
    size = sizes[string_rng.integers(0, 4, n_train + n_test)]
    # A few held-out colours the encoder never saw: one-hot zeros.
    colour[n_train + string_rng.choice(n_test, 4, replace=False)] = 'purple'
    z = numeric @ string_rng.standard_normal((3, 3)) + (colour[:, None] == colours[None, :]) * 1.5 \
        + np.array([list(sizes).index(s) if s in sizes else 0 for s in size])[:, None] * np.array([-0.8, 0.1, 0.7])
    medals = np.array(['bronze', 'gold', 'silver'], dtype=object)
    y = medals[z.argmax(1)]
    table = np.empty((n_train + n_test, 5), dtype=object)
    table[:, :3] = numeric
    table[:, 3] = colour
    table[:, 4] = size
    columns = ColumnTransformer([
        ('numbers', StandardScaler(), [0, 1, 2]),
        ('colour', OneHotEncoder(handle_unknown='ignore'), [3]),
        ('size', OrdinalEncoder(categories=[list(sizes)]), [4]),
    ])
    pipe = make_pipeline(columns, LogisticRegression(max_iter=1000)).fit(table[:n_train], y[:n_train])
    scaler = columns.named_transformers_['numbers']
    onehot = columns.named_transformers_['colour']
    m = pipe[-1]
    test = table[n_train:]
    inits = [helper.make_tensor('column0', TensorProto.INT64, [1], [0]), helper.make_tensor('rows', TensorProto.INT64, [2], [-1, 3]),
             helper.make_tensor('column', TensorProto.INT64, [2], [-1, 1])]
    nodes = [
        helper.make_node('Scaler', ['x'], ['scaled'], domain=ML, offset=scaler.mean_.astype(np.float32).tolist(), scale=(1 / scaler.scale_).astype(np.float32).tolist()),
        helper.make_node('ArrayFeatureExtractor', ['colour', 'column0'], ['colour0'], domain=ML),
        helper.make_node('OneHotEncoder', ['colour0'], ['colour_hot3'], domain=ML, cats_strings=[str(c) for c in onehot.categories_[0]], zeros=1),
        helper.make_node('Reshape', ['colour_hot3', 'rows'], ['colour_hot']),
        helper.make_node('LabelEncoder', ['size'], ['size_code'], domain=ML, keys_strings=list(sizes), values_int64s=list(range(len(sizes)))),
        helper.make_node('Cast', ['size_code'], ['size_float0'], to=TensorProto.FLOAT),
        helper.make_node('Reshape', ['size_float0', 'column'], ['size_float']),
        helper.make_node('Concat', ['scaled', 'colour_hot', 'size_float'], ['features'], axis=1),
        linear_classifier(m, 'features', 'output_label', 'SOFTMAX', names=True),
    ]
    inputs = [('x', TensorProto.FLOAT, ['N', 3]), ('colour', TensorProto.STRING, ['N', 1]), ('size', TensorProto.STRING, ['N', 1])]
    given = {'x': numbers(test[:, :3].astype(np.float32)), 'colour': strings(test[:, 3:4]), 'size': strings(test[:, 4:5])}
    return string_model('categorical_pipeline', inputs, nodes, m.classes_, inits), given, pipe.predict(test), pipe.predict_proba(test), \
        'Scaler; ArrayFeatureExtractor, OneHotEncoder (cats_strings); LabelEncoder (keys_strings), Cast; Concat; LinearClassifier (classlabels_strings)'


@string_case
def tfidf_text_classifier():
    """A TfidfVectorizer of words and word pairs (lower-cased) then a LogisticRegression of three topics → Reshape, StringNormalizer, Tokenizer (skl2onnx's separators), TfIdfVectorizer (1- and 2-grams, TF), Mul (idf), Normalizer (L2), LinearClassifier (classlabels_strings)."""
    topics = {
        'food': ['bread', 'cheese', 'soup', 'apple', 'spicy', 'dinner', 'bake'],
        'sports': ['goal', 'match', 'team', 'score', 'runner', 'coach', 'win'],
        'tech': ['laptop', 'code', 'server', 'chip', 'robot', 'cloud', 'bug'],
    }
    common = ['the', 'and', 'very', 'good', 'today', 'new', 'we', 'it', 'is']
    names = sorted(topics)
    gaps = [' ', ' ', ' ', ', ', '. ', '! ']

    def document(topic):
        n = int(string_rng.integers(3, 13))
        words = [str(string_rng.choice(topics[topic] if string_rng.random() < 0.45 else common + topics[str(string_rng.choice(names))])) for _ in range(n)]
        words = [w.capitalize() if string_rng.random() < 0.2 else w for w in words]
        return ''.join(w + str(string_rng.choice(gaps)) for w in words).strip()
    labels = np.array([names[int(k)] for k in string_rng.integers(0, 3, 360 + 27)], dtype=object)
    docs = np.array([document(t) for t in labels], dtype=object)
    vectorizer = TfidfVectorizer(ngram_range=(1, 2))
    m = LogisticRegression(max_iter=1000)
    pipe = make_pipeline(vectorizer, m).fit(docs[:360], labels[:360])
    test = docs[360:]
    # The vocabulary as TfIdfVectorizer's pool: its 1-grams, then its 2-grams, each with scikit-learn's column.
    grams = sorted(vectorizer.vocabulary_.items(), key=lambda kv: (len(kv[0].split(' ')), kv[0]))
    ones = [(g, c) for g, c in grams if ' ' not in g]
    twos = [(g, c) for g, c in grams if ' ' in g]
    pool = [g for g, _ in ones] + [w for g, _ in twos for w in g.split(' ')]
    separators = [' ', '[.]', '\\?', ',', ';', ':', '\\!', '\\(', '\\)', '\n', '"', "'", '-', '\\[', '\\]', '@']
    inits = [helper.make_tensor('flat', TensorProto.INT64, [1], [-1]),
             helper.make_tensor('idf', TensorProto.FLOAT, [len(vectorizer.idf_)], vectorizer.idf_.astype(np.float32))]
    nodes = [
        helper.make_node('Reshape', ['text', 'flat'], ['flattened']),
        helper.make_node('StringNormalizer', ['flattened'], ['normalized'], case_change_action='LOWER', is_case_sensitive=0),
        helper.make_node('Tokenizer', ['normalized'], ['tokens'], domain='com.microsoft', mark=0, mincharnum=1, pad_value='#', separators=separators),
        helper.make_node('TfIdfVectorizer', ['tokens'], ['tf'], min_gram_length=1, max_gram_length=2, max_skip_count=0, mode='TF',
                         ngram_counts=[0, len(ones)], ngram_indexes=[c for _, c in ones] + [c for _, c in twos], pool_strings=pool),
        helper.make_node('Mul', ['tf', 'idf'], ['weighted']),
        helper.make_node('Normalizer', ['weighted'], ['features'], domain=ML, norm='L2'),
        linear_classifier(m, 'features', 'output_label', 'SOFTMAX', names=True),
    ]
    model = string_model('tfidf_text_classifier', [('text', TensorProto.STRING, ['N', 1])], nodes, m.classes_, inits, domains=['com.microsoft'])
    return model, {'text': strings(test.reshape(-1, 1))}, pipe.predict(test), pipe.predict_proba(test), \
        'Reshape, StringNormalizer, Tokenizer, TfIdfVectorizer, Mul, Normalizer, LinearClassifier (classlabels_strings)'


@string_case
def dict_vectorizer_names():
    """A DictVectorizer of named measurements (each sample some of them) then a LogisticRegression of three sizes → DictVectorizer (string_vocabulary), LinearClassifier (classlabels_strings); one sample a run, its map(string, float) given as a JS Map."""
    names = ['height', 'weight', 'age', 'shoe', 'waist', 'reach']
    sizes = ['large', 'medium', 'small']

    def sample():
        kept = [n for n in names if string_rng.random() < 0.7]
        return {n: float(np.float32(string_rng.standard_normal())) for n in kept}
    samples = [sample() for _ in range(300 + 19)]
    w = string_rng.standard_normal((len(names), 3))
    y = np.array([sizes[int(np.argmax([sum(s.get(n, 0) * w[i, c] for i, n in enumerate(names)) for c in range(3)]))] for s in samples], dtype=object)
    pipe = make_pipeline(DictVectorizer(sparse=False), LogisticRegression(max_iter=1000)).fit(samples[:300], y[:300])
    vectorizer, m = pipe[0], pipe[-1]
    test = samples[300:]
    nodes = [
        helper.make_node('DictVectorizer', ['m'], ['features'], domain=ML, string_vocabulary=list(vectorizer.feature_names_)),
        linear_classifier(m, 'features', 'output_label', 'SOFTMAX', names=True),
    ]
    entry = onnx.TypeProto()
    entry.map_type.key_type = TensorProto.STRING
    entry.map_type.value_type.CopyFrom(helper.make_tensor_type_proto(TensorProto.FLOAT, None))
    model = string_model('dict_vectorizer_names', [helper.make_value_info('m', entry)], nodes, m.classes_)
    return model, {'m': {'maps': test}}, pipe.predict(test), pipe.predict_proba(test), 'DictVectorizer (a map input), LinearClassifier (classlabels_strings)'


def write_string_cases():
    out = os.path.join(OUT, 'strings')
    os.makedirs(out, exist_ok=True)
    rows = []
    for name, make in STRING_CASES.items():
        model, inputs, labels, probabilities, ops = make()
        onnx.save(model, os.path.join(out, f'{name}.onnx'))
        expected = {'output_label': [str(v) for v in labels]}
        if probabilities is not None:
            expected['probabilities'] = numbers(probabilities)
        with open(os.path.join(out, f'{name}.json'), 'w') as f:
            json.dump({'inputs': inputs, 'outputs': expected}, f, indent=1)
            f.write('\n')
        rows.append(f'| `strings/{name}` | {ops} | {make.__doc__} | {", ".join(expected)} |')
    return rows


def main():
    os.makedirs(os.path.join(OUT, 'zipmap'), exist_ok=True)
    rows = []
    for name, make in CASES.items():
        model, test, outputs, ops = make()
        onnx.save(model, os.path.join(OUT, f'{name}.onnx'))
        if 'probabilities' in outputs:
            onnx.save(zipmap_layout(model), os.path.join(OUT, 'zipmap', f'{name}.onnx'))
        save_npz(os.path.join(OUT, f'{name}.npz'), {'x': test, **outputs})
        rows.append(f'| `{name}` | {ops} | {make.__doc__} | {", ".join(outputs)} |')
    rows += write_string_cases()
    with open(os.path.join(OUT, 'README.md'), 'w') as f:
        f.write('# scikit-learn models as ONNX (ai.onnx.ml)\n\n'
                f'Written by `scripts/make-sklearn-fixtures.py` (scikit-learn {sklearn.__version__}, onnx {onnx.__version__}):\n'
                'each model trained there on fixed random data and written in skl2onnx\'s layout, with held-out inputs `x`\n'
                'and scikit-learn\'s outputs for them in `NAME.npz`. Checked by `test/onnx/sklearn_models.test.ts`.\n'
                '`zipmap/NAME.onnx`: each classifier as skl2onnx writes it by default, its probabilities zipped by a ZipMap\n'
                'into `output_probability` (a sequence of maps from class label to probability), its labels as `output_label`.\n'
                '`strings/NAME.onnx`: models of class names and string columns, in that default layout, with their inputs and\n'
                'scikit-learn\'s outputs in `strings/NAME.json`. Checked by `test/onnx/sklearn_strings.test.ts`.\n\n'
                '| case | ops | model | outputs checked |\n|---|---|---|---|\n' + '\n'.join(rows) + '\n')
    print(f'wrote {len(rows)} cases into {os.path.relpath(OUT)}')
    for name, model in bench_models().items():
        onnx.save(model, os.path.join(BENCH, f'{name}.onnx'))
    print(f'wrote forest.onnx, boosting.onnx into {os.path.relpath(BENCH)}')


if __name__ == '__main__':
    main()
